import signal

from mailferry_devstack.processes import describe_exit


class TestDescribeExit:
    def test_a_normal_exit_names_its_code(self):
        assert describe_exit(3) == "exit code 3"

    def test_a_negative_code_is_the_signal_that_ended_it(self):
        assert describe_exit(-signal.SIGKILL) == "signal SIGKILL"
