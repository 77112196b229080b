from mailferry_api.auth.lockout import Failures, Policy, after_failure, locked_for

POLICY = Policy(threshold=3, base_s=30, max_s=100, window_s=900)


def _fail(times: int, start: float = 0.0) -> Failures | None:
    record = None
    for n in range(times):
        record = after_failure(record, POLICY, start + n)
    return record


class TestLockout:
    def test_nothing_is_locked_below_the_threshold(self):
        assert locked_for(_fail(2), 2) == 0

    def test_the_threshold_locks_and_each_further_failure_doubles_up_to_the_cap(self):
        assert locked_for(_fail(3), 2) == 30
        assert locked_for(_fail(4), 3) == 60
        assert locked_for(_fail(6), 5) == 100

    def test_the_lock_ends(self):
        assert locked_for(_fail(3), 2 + 31) == 0

    def test_a_quiet_window_forgets(self):
        record = after_failure(_fail(5), POLICY, 10_000)
        assert record.count == 1
        assert locked_for(record, 10_000) == 0
