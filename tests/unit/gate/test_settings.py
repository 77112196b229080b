import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from mailferry_gate.settings import Settings

HOOKS = [{"url": "https://wizard.example/hook", "secret": "0123456789abcdef-long"}]


def from_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_min_ratio_and_webhooks_come_from_the_environment(monkeypatch):
    settings = from_env(
        monkeypatch,
        MIGRATION_GATE_MIN_RATIO="0.995",
        MIGRATION_GATE_WEBHOOKS=json.dumps(HOOKS),
    )
    assert settings.policy().min_ratio == Decimal("0.995")
    [hook] = settings.gate_webhooks
    assert hook.url == "https://wizard.example/hook"
    assert hook.secret.get_secret_value() == HOOKS[0]["secret"]


def test_secrets_never_show_in_a_printed_settings_object(monkeypatch):
    settings = from_env(monkeypatch, MIGRATION_GATE_WEBHOOKS=json.dumps(HOOKS))
    assert HOOKS[0]["secret"] not in repr(settings)
    assert HOOKS[0]["secret"] not in settings.model_dump_json()


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("MIGRATION_GATE_MIN_RATIO", "1.5", "gate_min_ratio"),
        ("MIGRATION_GATE_MIN_RATIO", "0", "gate_min_ratio"),
        ("MIGRATION_GATE_WEBHOOKS", json.dumps([{"url": "ftp://x/", "secret": "0" * 20}]), "url"),
        (
            "MIGRATION_GATE_WEBHOOKS",
            json.dumps([{"url": "https://x/", "secret": "changeme"}]),
            "secret",
        ),
        ("MIGRATION_GATE_WEBHOOKS", json.dumps([{"url": "https://x/"}]), "secret"),
    ],
    ids=["ratio-above-one", "ratio-zero", "not-http", "placeholder-secret", "no-secret"],
)
def test_a_bad_setting_fails_at_boot_naming_it(monkeypatch, name, value, field):
    with pytest.raises(ValidationError, match=field):
        from_env(monkeypatch, **{name: value})
