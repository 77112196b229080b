"""Settings of the API, validated at boot: a bad deployment dies naming the variable."""

from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from mailferry_api.uploads.settings import UploadSettings
from mailferry_bus import BusSettings
from mailferry_vault import VaultSettings, require_keyring

Network = IPv4Network | IPv6Network

MIN_JWT_SECRET_CHARS = 32
_PLACEHOLDERS = frozenset({"changeme", "change-me", "secret", "placeholder", "example", "xxx"})


class AuthSettings(BaseSettings):
    """Bearer token verification and client-address rules (enough to issue a dev token)."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    jwt_secret: SecretStr | None = Field(
        default=None,
        description="HS256 key shared with the Desk gateway (≥ 32 chars); unset: no HS256 tokens",
    )
    jwt_jwks_url: str | None = Field(
        default=None, description="JWKS URL of the Desk gateway (RS256/ES256 tokens), if any"
    )
    jwks_cache_s: float = Field(default=300.0, gt=0, le=86400, description="Keys kept this long")
    jwks_min_refresh_s: float = Field(
        default=30.0, ge=0, le=3600, description="At most one JWKS refresh per this many seconds"
    )
    jwt_issuer: str | None = Field(default=None, description="Required `iss` claim, if set")
    jwt_audience: str | None = Field(default=None, description="Required `aud` claim, if set")
    jwt_leeway_s: float = Field(default=30.0, ge=0, le=60, description="Clock skew allowance")
    trusted_proxies: Annotated[list[Network], NoDecode] = Field(
        default_factory=list,
        description="CIDRs whose X-Forwarded-For is believed (comma separated)",
    )

    session_ttl_s: float = Field(
        default=8 * 3600.0, ge=60, le=86400, description="Dashboard sessions last this long"
    )
    login_account_threshold: int = Field(
        default=5, ge=1, description="Failed logins of one account before it is locked"
    )
    login_address_threshold: int = Field(
        default=20, ge=1, description="Failed logins from one address before it is locked"
    )
    login_lock_base_s: float = Field(default=30.0, gt=0, description="First lock; then doubles")
    login_lock_max_s: float = Field(default=900.0, gt=0, le=3600, description="Longest lock")
    login_window_s: float = Field(
        default=900.0, gt=0, le=3600, description="Failures older than this are forgotten"
    )
    login_rate_per_minute: int = Field(
        default=20, ge=1, description="Login attempts per client address per minute"
    )
    token_rate_per_minute: int = Field(
        default=30, ge=1, description="Service-token requests per client address per minute"
    )

    @field_validator("jwt_jwks_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("MIGRATION_JWT_JWKS_URL must be an http(s) URL")
        return value or None

    @field_validator("jwt_secret")
    @classmethod
    def _real_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        secret = value.get_secret_value()
        if secret.strip().lower() in _PLACEHOLDERS or "changeme" in secret.lower():
            raise ValueError("MIGRATION_JWT_SECRET is a placeholder; set a random value")
        if len(secret) < MIN_JWT_SECRET_CHARS:
            raise ValueError(
                f"MIGRATION_JWT_SECRET must be at least {MIN_JWT_SECRET_CHARS} characters"
            )
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_cidrs(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [ip_network(part.strip(), strict=False) for part in value.split(",") if part]
        return value


class ApiSettings(AuthSettings, VaultSettings, BusSettings, UploadSettings):
    """Everything ``create_app`` needs; read from ``MIGRATION_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    database_url: str = Field(description="PostgreSQL URL of the read models; required")
    api_host: str = Field(default="127.0.0.1", description="Address uvicorn binds")
    api_port: int = Field(default=8080, ge=1, le=65535, description="Port uvicorn binds")
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest request body outside CSV uploads"
    )
    max_csv_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest mailbox import (CSV or JSON)"
    )
    max_import_rows: int = Field(default=50_000, ge=1, description="Most mailboxes in one import")
    vault_concurrency: int = Field(
        default=128, ge=1, le=1024, description="Secrets stored at once during an import"
    )
    db_pool_min: int = Field(default=1, ge=0, description="PostgreSQL pool minimum size")
    db_pool_max: int = Field(default=10, ge=1, description="PostgreSQL pool maximum size")
    db_timeout_s: float = Field(default=5.0, gt=0, description="Wait for a pooled connection")
    idempotency_pending_s: float = Field(
        default=300.0, gt=0, description="After this, an unfinished Idempotency-Key is reclaimable"
    )
    api_docs: bool = Field(default=True, description="Serve the interactive docs page")
    report_font_dir: str = Field(
        default="/usr/share/fonts/truetype/dejavu",
        description="Folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf (PDF reports)",
    )

    @model_validator(mode="after")
    def _credentials_key(self) -> "ApiSettings":
        # The API encrypts every password it receives: without a key it must not start.
        require_keyring(self, "mailferry-api")
        return self
