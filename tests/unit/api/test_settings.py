import pytest
from pydantic import SecretStr, ValidationError

from mailferry_api.settings import ApiSettings
from mailferry_vault import generate_key_spec

KEY = SecretStr(generate_key_spec("k1"))


def _settings(**values):
    return ApiSettings(database_url="postgresql://h/db", credentials_key=KEY, **values)


class TestApiSettings:
    def test_without_a_jwt_secret_hs256_tokens_are_off(self, monkeypatch):
        monkeypatch.delenv("MIGRATION_JWT_SECRET", raising=False)
        assert _settings().jwt_secret is None

    def test_without_a_credentials_key_the_api_refuses_to_start(self, monkeypatch):
        monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY", raising=False)
        monkeypatch.delenv("MIGRATION_CREDENTIALS_KEY_FILE", raising=False)
        with pytest.raises(
            ValidationError, match=r"mailferry-api cannot start.*MIGRATION_CREDENTIALS_KEY"
        ):
            ApiSettings(database_url="postgresql://h/db")

    def test_a_malformed_credentials_key_is_named(self):
        with pytest.raises(ValidationError, match="MIGRATION_CREDENTIALS_KEY: key 'k1'"):
            ApiSettings(database_url="postgresql://h/db", credentials_key=SecretStr("k1:short"))

    def test_a_jwks_url_must_be_http(self):
        with pytest.raises(ValidationError, match="MIGRATION_JWT_JWKS_URL"):
            _settings(jwt_jwks_url="file:///etc/passwd")

    def test_sessions_last_at_most_a_day(self):
        with pytest.raises(ValidationError):
            _settings(session_ttl_s=2 * 86400)

    @pytest.mark.parametrize("secret", ["changeme", "short", "CHANGEME" + "x" * 40])
    def test_placeholder_or_short_secrets_are_refused(self, secret):
        with pytest.raises(ValidationError, match="MIGRATION_JWT_SECRET"):
            _settings(jwt_secret=SecretStr(secret))

    def test_trusted_proxies_read_from_a_comma_separated_variable(self, monkeypatch):
        monkeypatch.setenv("MIGRATION_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
        settings = _settings(jwt_secret=SecretStr("s" * 40))
        assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "192.168.1.1/32"]

    def test_leeway_is_at_most_sixty_seconds(self):
        with pytest.raises(ValidationError):
            _settings(jwt_secret=SecretStr("s" * 40), jwt_leeway_s=61)

    def test_defaults(self):
        settings = _settings(jwt_secret=SecretStr("s" * 40))
        assert (settings.api_host, settings.api_port) == ("127.0.0.1", 8080)
        assert settings.max_csv_bytes == 20 * 1024 * 1024
