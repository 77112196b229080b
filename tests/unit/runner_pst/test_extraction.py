import pytest

from mailferry_runner_pst.extraction import FolderProgress, judge_exit, parse_progress

EXITS = [
    (0, ["Opening PST file and indexes..."], "", None),
    (1, ["Opening PST file and indexes...", "Error opening File"], "", "file_not_supported"),
    (1, ["Opening PST file and indexes...", "Could not get root record"], "", "file_unreadable"),
    (2, ["Opening PST file and indexes...", "Index Error"], "", "file_unreadable"),
    (1, ["Cannot change to output dir /x: No such file or directory"], "", "internal"),
    (-11, [], "", "file_unreadable"),
]


class TestJudgeExit:
    @pytest.mark.parametrize(
        ("code", "stdout", "stderr", "error_class"),
        EXITS,
        ids=["ok", "not-a-pst", "no-root", "index", "bad-workdir", "crash"],
    )
    def test_exit_codes_map_to_error_classes(self, code, stdout, stderr, error_class):
        assert judge_exit(code, stdout, stderr).error_class == error_class

    def test_a_crash_names_the_exit_code(self):
        assert "exit -11" in judge_exit(-11, [], "").message


class TestParseProgress:
    def test_folder_summary_line(self):
        line = '\t"Sent Items - old" - 20 items done, 3 items skipped.'
        assert parse_progress(line) == FolderProgress("Sent Items - old", 20, 3)

    def test_other_lines(self):
        assert parse_progress('Processing Folder "Inbox"') is None
