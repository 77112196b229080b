"""scripts/container-entrypoint.sh: compose secret files become variables, nothing else."""

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ENTRYPOINT = Path(__file__).resolve().parents[3] / "scripts" / "container-entrypoint.sh"


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    (tmp_path / "MIGRATION_JWT_SECRET").write_text("jwt-from-file\n")
    (tmp_path / "PGPASSWORD").write_text("db-password")
    (tmp_path / "credentials_key").write_text("k1:abc\n")
    (tmp_path / "MIGRATION_BAD-NAME").write_text("x")
    return tmp_path


def run(secrets_dir: Path, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATION_", "PG"))}
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *command],
        env={**base, "MAILFERRY_SECRETS_DIR": str(secrets_dir), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def environment_of(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


def test_secret_files_named_like_variables_become_variables(secrets_dir):
    env = environment_of(run(secrets_dir, "env"))

    assert env["MIGRATION_JWT_SECRET"] == "jwt-from-file"
    assert env["PGPASSWORD"] == "db-password"


def test_other_secret_files_stay_files(secrets_dir):
    env = environment_of(run(secrets_dir, "env"))

    assert "k1:abc" not in env.values()
    assert not any(name.startswith("MIGRATION_BAD") for name in env)


def test_a_variable_that_is_already_set_wins(secrets_dir):
    env = environment_of(run(secrets_dir, "env", MIGRATION_JWT_SECRET="from-orchestrator"))

    assert env["MIGRATION_JWT_SECRET"] == "from-orchestrator"


def test_the_command_replaces_the_shell_and_keeps_its_exit_code(secrets_dir):
    assert run(secrets_dir, "sh", "-c", "exit 7").returncode == 7


def test_without_a_secrets_directory_the_command_just_runs(tmp_path):
    result = run(tmp_path / "absent", "printenv", "MAILFERRY_SECRETS_DIR")

    assert result.returncode == 0
