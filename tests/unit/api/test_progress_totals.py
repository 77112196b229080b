import uuid
from datetime import UTC, datetime, timedelta

from mailferry_api.progress.totals import Reported, job_totals
from mailferry_contracts.common import RunType
from mailferry_contracts.runs import RunProgress

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def reported(done: int, total: int | None, rate: float, age_s: float = 0) -> Reported:
    progress = RunProgress(
        run_id=uuid.uuid4(),
        job_id=uuid.uuid4(),
        mailbox_id=uuid.uuid4(),
        run_type=RunType.INITIAL,
        messages_done=done,
        messages_total=total,
        rate_messages=rate,
        percent=100.0 * done / total if total else 0.0,
    )
    return Reported(progress, NOW - timedelta(seconds=age_s))


class TestJobTotals:
    def test_percent_rate_and_eta_over_active_mailboxes(self):
        totals = job_totals([reported(50, 100, 10), reported(0, 100, 10)], NOW, 30)
        assert (totals.percent, totals.rate_messages, totals.eta_seconds) == (25.0, 20.0, 7.5)

    def test_stale_and_complete_mailboxes_count_in_totals_but_not_in_the_rate(self):
        items = [reported(100, 100, 50), reported(10, 100, 9, age_s=120), reported(5, 10, 1)]
        totals = job_totals(items, NOW, 30)
        assert (totals.active, totals.rate_messages, totals.eta_seconds) == (1, 1.0, 5.0)
        assert (totals.messages_done, totals.messages_total) == (115, 210)

    def test_no_progress_means_zero_and_no_eta(self):
        totals = job_totals([], NOW, 30)
        assert (totals.percent, totals.eta_seconds) == (0.0, None)
