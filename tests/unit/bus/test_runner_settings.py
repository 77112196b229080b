import os
from dataclasses import replace

import pytest
from pydantic import ValidationError

from mailferry_bus.runners import RetryPolicy, RunnerConfig
from mailferry_bus.runners.settings import RunnerSettings
from mailferry_contracts.common import RunnerKind
from mailferry_runner_imap.settings import Settings as ImapSettings
from mailferry_runner_pst.settings import Settings as PstSettings
from mailferry_runner_tgz.settings import Settings as TgzSettings
from mailferry_vault import generate_key_spec

RUNNERS = [(ImapSettings, "imap"), (PstSettings, "pst"), (TgzSettings, "tgz")]
RUNNER_IDS = ["runner-imap", "runner-pst", "runner-tgz"]

SHARED_ENVIRONMENT = {
    "MIGRATION_RUNNER_SLOTS": "3",
    "MIGRATION_RUNNER_ID": "host-7",
    "MIGRATION_ACK_WAIT_S": "61",
    "MIGRATION_HEARTBEAT_S": "11",
    "MIGRATION_LEASE_TTL_S": "46",
    "MIGRATION_IDLE_POLL_S": "2",
    "MIGRATION_MAX_ATTEMPTS": "6",
    "MIGRATION_RETRY_BASE_S": "7",
    "MIGRATION_RETRY_MAX_S": "301",
}
CONFIG_FROM_SHARED_ENVIRONMENT = RunnerConfig(
    kind="imap",
    runner_id="host-7",
    slots=3,
    ack_wait_s=61.0,
    heartbeat_s=11.0,
    lease_ttl_s=46.0,
    idle_poll_s=2.0,
    retry=RetryPolicy(max_attempts=6, base_delay_s=7.0, max_delay_s=301.0),
)


class ExampleRunnerSettings(RunnerSettings):
    @property
    def runner_kind(self) -> RunnerKind:
        return RunnerKind.IMAP


@pytest.fixture
def shared_environment(monkeypatch):
    for variable, value in SHARED_ENVIRONMENT.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("MIGRATION_CREDENTIALS_KEY", generate_key_spec("unit"))


class TestRunnerConfig:
    @pytest.mark.usefixtures("shared_environment")
    def test_every_setting_reaches_the_config(self):
        assert ExampleRunnerSettings().runner_config() == CONFIG_FROM_SHARED_ENVIRONMENT

    def test_the_defaults_are_the_work_queue_defaults(self):
        settings = ExampleRunnerSettings(runner_id="host-7")

        assert settings.runner_config() == RunnerConfig(kind="imap", runner_id="host-7")

    def test_the_runner_id_defaults_to_host_and_process(self):
        assert ExampleRunnerSettings().runner_id.endswith(f"-{os.getpid()}")


def test_the_base_cannot_be_loaded_without_a_runner_kind():
    with pytest.raises(TypeError, match="runner_kind"):
        RunnerSettings()  # type: ignore[abstract]


@pytest.mark.usefixtures("shared_environment")
@pytest.mark.parametrize(("settings_class", "kind"), RUNNERS, ids=RUNNER_IDS)
def test_each_runner_reads_the_shared_variables_under_their_names(settings_class, kind):
    config = settings_class().runner_config()

    assert config == replace(CONFIG_FROM_SHARED_ENVIRONMENT, kind=kind)


@pytest.mark.parametrize("settings_class", [cls for cls, _ in RUNNERS], ids=RUNNER_IDS)
def test_each_runner_refuses_to_load_without_a_credentials_key(settings_class, monkeypatch):
    monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY", raising=False)
    monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY_FILE", raising=False)

    with pytest.raises(ValidationError, match="MIGRATION_CREDENTIALS_KEY"):
        settings_class()
