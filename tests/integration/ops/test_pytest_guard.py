"""The CI guard: pytest runs that pass but ran nothing, or too little, must fail loudly."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def run_pytest(tests_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # `python -m pytest` from the repository root makes `scripts.pytest_guard` importable; the
    # generated suite has no config of its own, so the repository's plugins stay out.
    plugins = ["-p", "scripts.pytest_guard", "-p", "no:cacheprovider"]
    config = ["--rootdir", str(tests_dir), "-c", str(tests_dir / "pytest.ini")]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, *config, *args, str(tests_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def two_tests(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_two.py").write_text("def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    return tmp_path


def test_enough_passed_tests_keep_the_run_green(two_tests):
    result = run_pytest(two_tests, "--min-passed", "2")

    assert result.returncode == 0, result.stdout


def test_fewer_passed_tests_than_expected_fail_the_run_with_a_banner(two_tests):
    result = run_pytest(two_tests, "--min-passed", "3")

    assert result.returncode == 1
    assert "ONLY 2 TESTS PASSED, AT LEAST 3 EXPECTED" in result.stdout


def test_deselecting_everything_fails_with_a_banner(two_tests):
    result = run_pytest(two_tests, "-k", "no_such_test")

    assert result.returncode == pytest.ExitCode.NO_TESTS_COLLECTED
    assert "NO TESTS RAN" in result.stdout
