import pytest

from mailferry_devstack.restart import RestartPolicy

POLICY = RestartPolicy(initial_s=0.5, factor=2.0, max_s=30.0, stable_after_s=30.0)


class TestDelay:
    @pytest.mark.parametrize(
        ("crashes", "delay"),
        [(0, 0.0), (1, 0.5), (2, 1.0), (3, 2.0), (6, 16.0), (7, 30.0), (50, 30.0)],
        ids=["none", "first", "second", "third", "sixth", "capped", "long after the cap"],
    )
    def test_delays_double_up_to_the_cap(self, crashes, delay):
        assert POLICY.delay(crashes) == delay


class TestCrashesAfter:
    def test_a_quick_crash_adds_to_the_count(self):
        assert POLICY.crashes_after(3, uptime_s=2.0) == 4

    def test_a_crash_after_a_stable_run_starts_counting_again(self):
        assert POLICY.crashes_after(6, uptime_s=3600.0) == 1

    def test_a_crash_loop_reaches_the_cap_and_stays_there(self):
        crashes = 0
        for _ in range(20):
            crashes = POLICY.crashes_after(crashes, uptime_s=0.1)

        assert POLICY.delay(crashes) == 30.0
