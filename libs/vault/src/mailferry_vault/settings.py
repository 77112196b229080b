"""Where the key ring comes from: MIGRATION_CREDENTIALS_KEY or MIGRATION_CREDENTIALS_KEY_FILE."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from mailferry_vault.keyring import KeyRing, KeyRingError


class VaultSettings(BaseSettings):
    """Key ring settings; a service that handles credentials refuses to start without a key."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    credentials_key: SecretStr | None = Field(
        default=None, description="Key ring 'kid:base64key[,kid:base64key]'; first is primary"
    )
    credentials_key_file: Path | None = Field(
        default=None, description="File holding the key ring, one 'kid:base64key' per line"
    )

    def keyring(self) -> KeyRing:
        """Parse the configured key ring; raise naming the variable when it is absent or bad."""
        if self.credentials_key is not None and self.credentials_key.get_secret_value():
            return KeyRing.parse(
                self.credentials_key.get_secret_value(), "MIGRATION_CREDENTIALS_KEY"
            )
        if self.credentials_key_file is not None:
            try:
                text = self.credentials_key_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise KeyRingError(
                    f"MIGRATION_CREDENTIALS_KEY_FILE={self.credentials_key_file}: {exc.strerror}"
                ) from exc
            return KeyRing.parse(text, "MIGRATION_CREDENTIALS_KEY_FILE")
        raise KeyRingError(
            "no credentials key: set MIGRATION_CREDENTIALS_KEY (kid:base64 of 32 random bytes) "
            "or MIGRATION_CREDENTIALS_KEY_FILE"
        )

    def check_keyring(self) -> None:
        """For a ``model_validator``: a missing or bad key ring fails settings load, naming why."""
        try:
            self.keyring()
        except KeyRingError as exc:
            raise ValueError(str(exc)) from exc
