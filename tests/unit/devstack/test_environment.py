from pathlib import Path

import pytest
from pydantic import SecretStr

from mailferry_devstack.catalog import ServiceSpec
from mailferry_devstack.environment import Stack, health_url, service_environment

API = ServiceSpec("api", "mailferry_api", http=True)
GATE = ServiceSpec("gate", "mailferry_gate")
STACK = Stack(
    nats_url="nats://127.0.0.1:4333",
    database_url="postgresql://postgres@127.0.0.1:5444/mailferry",
    api_port=8088,
    data_path=Path("/data/var"),
    credentials_key_file=Path("/data/var/secrets/credentials.keys"),
    jwt_secret=SecretStr("generated-jwt"),
)


class TestServiceEnvironment:
    def test_a_service_gets_the_stack_endpoints_and_its_own_work_dir(self):
        env = service_environment({"PATH": "/usr/bin"}, STACK, GATE, health_port=9001)

        assert env["PATH"] == "/usr/bin"
        assert env["MIGRATION_NATS_URL"] == "nats://127.0.0.1:4333"
        assert env["MIGRATION_DATABASE_URL"] == "postgresql://postgres@127.0.0.1:5444/mailferry"
        assert env["MIGRATION_API_PORT"] == "8088"
        assert env["MIGRATION_DATA_PATH"] == "/data/var/services/gate"
        assert env["MIGRATION_WORK_DIR"] == "/data/var/services/gate"
        assert env["MIGRATION_HEALTH_PORT"] == "9001"
        assert env["PYTHONUNBUFFERED"] == "1"

    def test_generated_secrets_are_passed_when_the_operator_set_none(self):
        env = service_environment({}, STACK, GATE, health_port=None)

        assert env["MIGRATION_CREDENTIALS_KEY_FILE"] == "/data/var/secrets/credentials.keys"
        assert env["MIGRATION_JWT_SECRET"] == "generated-jwt"

    @pytest.mark.parametrize(
        "configured",
        [{"MIGRATION_CREDENTIALS_KEY": "k:abc"}, {"MIGRATION_CREDENTIALS_KEY_FILE": "/etc/keys"}],
        ids=["inline key", "key file"],
    )
    def test_a_key_ring_the_operator_configured_wins(self, configured):
        env = service_environment(configured, STACK, GATE, health_port=None)

        assert env.get("MIGRATION_CREDENTIALS_KEY_FILE") == configured.get(
            "MIGRATION_CREDENTIALS_KEY_FILE"
        )
        assert env.get("MIGRATION_CREDENTIALS_KEY") == configured.get("MIGRATION_CREDENTIALS_KEY")

    def test_a_jwt_secret_the_operator_configured_wins(self):
        env = service_environment({"MIGRATION_JWT_SECRET": "mine"}, STACK, API, health_port=None)

        assert env["MIGRATION_JWT_SECRET"] == "mine"

    def test_the_stack_endpoints_win_over_the_operator_shell(self):
        shell = {"MIGRATION_NATS_URL": "nats://elsewhere:4222", "MIGRATION_DATA_PATH": "/x"}

        env = service_environment(shell, STACK, GATE, health_port=None)

        assert env["MIGRATION_NATS_URL"] == "nats://127.0.0.1:4333"
        assert env["MIGRATION_DATA_PATH"] == "/data/var/services/gate"
        assert env["MIGRATION_WORK_DIR"] == "/data/var/services/gate"

    def test_the_http_service_gets_no_separate_health_port(self):
        env = service_environment({"MIGRATION_HEALTH_PORT": "7000"}, STACK, API, health_port=None)

        assert "MIGRATION_HEALTH_PORT" not in env

    def test_the_base_environment_is_not_changed(self):
        base = {"PATH": "/usr/bin"}

        service_environment(base, STACK, GATE, health_port=9001)

        assert base == {"PATH": "/usr/bin"}


class TestHealthUrl:
    def test_the_api_is_asked_on_its_own_port(self):
        assert health_url(API, 8088, None) == "http://127.0.0.1:8088/healthz"

    def test_other_services_are_asked_on_their_health_port(self):
        assert health_url(GATE, 8088, 9001) == "http://127.0.0.1:9001/healthz"

    def test_a_service_without_a_health_port_is_not_asked(self):
        assert health_url(GATE, 8088, None) is None


def test_the_api_url_is_the_dashboard_on_loopback():
    assert STACK.api_url == "http://127.0.0.1:8088/"
