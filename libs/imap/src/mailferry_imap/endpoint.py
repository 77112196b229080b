"""Where and as whom to log in."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from mailferry_contracts.common import ServerSettings

Auth = Literal["login", "plain", "xoauth2"]


class Endpoint(BaseModel):
    """One side of a migration: server, security, user and secret.

    ``secret`` is the password, or the OAuth access token with ``auth="xoauth2"``
    (imap_oauth sources). It is a ``SecretStr``: its repr and str never show it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1, description="Hostname or IP address")
    port: int = Field(ge=1, le=65535, description="TCP port")
    security: Literal["ssl", "starttls", "none"] = Field(default="ssl")
    verify_tls: bool = Field(default=True, description="Verify the server certificate")
    user: str = Field(min_length=1, description="Login name")
    secret: SecretStr = Field(description="Password or OAuth access token")
    auth: Auth = Field(default="login", description="LOGIN, AUTHENTICATE PLAIN or XOAUTH2")

    @classmethod
    def of(cls, server: ServerSettings, user: str, secret: str, auth: Auth = "login") -> "Endpoint":
        """From a contract's server settings plus the login the runner got from the vault."""
        return cls(
            host=server.host,
            port=server.port,
            security=server.security,
            verify_tls=server.verify_tls,
            user=user,
            secret=SecretStr(secret),
            auth=auth,
        )

    @property
    def label(self) -> str:
        """``user@host:port`` for logs (never the secret)."""
        return f"{self.user}@{self.host}:{self.port}"
