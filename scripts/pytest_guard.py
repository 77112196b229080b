"""pytest plugin for CI: a run that ran nothing, or far fewer tests than expected, fails loudly.

``pytest -p scripts.pytest_guard --min-passed N``: fewer than ``N`` passed tests turns a green
run into a failure with a banner saying why. That catches what a green run hides: a collection
filter or ``testpaths`` change that silently drops a directory, or a fixture that skips a whole
suite. pytest's own "no tests ran" (exit code 5) gets the same banner. ``N`` lives in
``.ci/min-passed``; raise it when the suite grows, lower it only on purpose.
"""

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--min-passed``."""
    parser.addoption(
        "--min-passed",
        type=int,
        default=None,
        metavar="N",
        help="fail the run when fewer than N tests passed (CI guard against silent shrinkage)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the guard for this run."""
    config.pluginmanager.register(PassedTestsGuard(config.getoption("--min-passed")))


class PassedTestsGuard:
    """Counts passed tests and judges the run at the end."""

    def __init__(self, minimum: int | None) -> None:
        self.minimum = minimum
        self.passed = 0
        self.verdict: str | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count a passed test."""
        if report.when == "call" and report.passed:
            self.passed += 1

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Judge the run; too few passed tests turn a green run red."""
        if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            self.verdict = "NO TESTS RAN: pytest collected nothing"
        elif self.minimum is not None and self.passed < self.minimum:
            self.verdict = (
                f"ONLY {self.passed} TESTS PASSED, AT LEAST {self.minimum} EXPECTED "
                "(.ci/min-passed): tests were lost, deselected or skipped"
            )
            if exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Print the verdict as the last, loud line."""
        if self.verdict is not None:
            terminalreporter.write_sep("!", self.verdict, red=True, bold=True)
