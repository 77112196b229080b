from pathlib import Path

from mailferry_bus.runners import Progress
from mailferry_runner_imap.progress import ProgressReader

DATA = Path(__file__).resolve().parents[2] / "data" / "imapsync"


def _last(name: str):
    reader, last = ProgressReader(), None
    for line in (DATA / f"{name}.log").read_text(encoding="utf-8").splitlines():
        last = reader.feed(line) or last
    return last


class TestProgressReader:
    def test_with_folder_sizes_total_and_eta_come_from_msgs_left(self):
        last = _last("a0_initial_with_foldersizes")
        assert (last.messages_done, last.messages_total, last.eta_seconds) == (300, 300, 0.0)
        assert last.percent == 100.0

    def test_without_folder_sizes_copied_lines_are_counted(self):
        last = _last("a_initial")
        assert (last.messages_done, last.messages_total) == (293, None)
        assert last.bytes_done > 17_000_000
        assert last.rate_messages > 0

    def test_folder_names_come_in_utf8(self):
        reader = ProgressReader()
        line = (
            "Folder    8/18 [Entr&AOk-es/&AMk-t&AOk-] = [Entrées/Été] -> [Entr&AOk-es/&AMk-t&AOk-]"
        )
        assert _moved(reader, line).folder == "Entrées/Été"
        assert _moved(reader, "Folder     1/1 [INBOX]       -> [INBOX]   ").folder == "INBOX"

    def test_a_copied_line_with_eta(self):
        line = (
            "msg Trash/5 {572358}          copied to Deleted Items/5          115.98 msgs/s  "
            "6.523 MiB/s 15.859 MiB copied ETA: Saturday 21 November 2026-11-21 19:45:36 +0000 "
            "UTC  6 s  299/300 msgs left"
        )
        progress = _moved(ProgressReader(), line)
        assert (progress.messages_done, progress.messages_total, progress.eta_seconds) == (
            1,
            300,
            6,
        )
        assert progress.bytes_done == int(15.859 * 1024**2)

    def test_other_lines_do_not_move_progress(self):
        assert ProgressReader().feed("Host1: success login on [127.0.0.1]") is None


def _moved(reader: ProgressReader, line: str) -> Progress:
    progress = reader.feed(line)
    assert progress is not None
    return progress
