from mailferry_imap import Progress as Tick
from mailferry_runner_imap.metering import to_progress


def tick(done: int, total: int, bytes_done: int, bytes_total: int) -> Tick:
    return Tick("INBOX", done, total, done, total, bytes_done, bytes_total)


class TestToProgress:
    def test_rates_from_elapsed_time_and_eta_from_bytes_left(self):
        progress = to_progress(tick(50, 100, 1_000, 4_000), elapsed_s=10)
        assert (progress.rate_messages, progress.rate_bytes) == (5.0, 100.0)
        assert progress.eta_seconds == 30.0
        assert progress.percent == 50.0

    def test_eta_from_messages_when_sizes_are_unknown(self):
        assert to_progress(tick(10, 30, 0, 0), elapsed_s=5).eta_seconds == 10.0

    def test_nothing_done_yet_has_no_eta(self):
        progress = to_progress(tick(0, 30, 0, 0), elapsed_s=0)
        assert (progress.rate_messages, progress.eta_seconds) == (0.0, None)
