import pytest
from pydantic import SecretStr, ValidationError

from mailferry_projector.settings import Settings

URL = "postgresql://projector@db/mailferry"


class TestSettings:
    def test_the_database_url_is_required(self, monkeypatch):
        monkeypatch.delenv("MIGRATION_DATABASE_URL", raising=False)
        with pytest.raises(ValidationError, match="database_url"):
            Settings()

    def test_environment_variables_are_read_with_the_migration_prefix(self, monkeypatch):
        monkeypatch.setenv("MIGRATION_DATABASE_URL", URL)
        monkeypatch.setenv("MIGRATION_PROJECTOR_BATCH_SIZE", "99")
        monkeypatch.setenv("MIGRATION_HEALTH_PORT", "9999")
        settings = Settings()
        assert settings.projector_batch_size == 99
        assert settings.health_port == 9999
        assert settings.database_url.get_secret_value() == URL

    @pytest.mark.parametrize(
        "url", ["mysql://x/y", "postgresql://user:<password>@db/x", "postgresql://changeme@db/x"]
    )
    def test_a_wrong_or_placeholder_url_is_refused(self, url):
        with pytest.raises(ValidationError, match="MIGRATION_DATABASE_URL"):
            Settings(database_url=SecretStr(url))

    def test_the_schema_must_be_a_plain_identifier(self):
        with pytest.raises(ValidationError, match="MIGRATION_PROJECTOR_SCHEMA"):
            Settings(database_url=SecretStr(URL), projector_schema="public; drop table x")

    def test_the_url_does_not_show_in_the_representation(self):
        assert "projector@db" not in repr(Settings(database_url=SecretStr(URL)))
