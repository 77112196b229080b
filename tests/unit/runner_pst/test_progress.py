from mailferry_imap import Progress as UploadProgress
from mailferry_runner_pst.progress import run_progress


def tick(done: int, total: int, bytes_done: int = 0) -> UploadProgress:
    return UploadProgress("Sent Items", done, total, done, total, bytes_done, 0)


class TestRunProgress:
    def test_rates_and_the_time_left_come_from_the_elapsed_time(self):
        progress = run_progress(tick(50, 200, 5_000_000), 10.0)
        assert (progress.folder, progress.messages_done, progress.messages_total) == (
            "Sent Items", 50, 200,
        )  # fmt: skip
        assert (progress.rate_messages, progress.rate_bytes, progress.eta_seconds) == (
            5.0, 500_000.0, 30.0,
        )  # fmt: skip
        assert progress.percent == 25.0

    def test_no_time_no_rate_and_no_total_no_estimate(self):
        progress = run_progress(tick(0, 0), 0.0)
        assert (progress.rate_messages, progress.eta_seconds, progress.messages_total) == (
            0.0, None, None,
        )  # fmt: skip
