"""Dashboard sessions: opaque random tokens, kept in a KV bucket under their SHA-256 only.

The same token works as the ``mf_session`` cookie (HttpOnly, SameSite=Strict) and as a bearer
token. A session ends at its expiry, at logout, when the user is disabled, and when the
password changes (the session remembers which password version opened it).
"""

import json
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from mailferry_api.auth.authenticators import (
    AuthResult,
    Rejection,
    bearer_token,
    session_cookie,
)
from mailferry_api.auth.principal import Principal
from mailferry_api.tokens.format import is_session_token, session_token, token_sha256
from mailferry_api.users.state import Directory, UserState


@dataclass(frozen=True)
class Session:
    """Who logged in, with which password version, until when."""

    user_id: uuid.UUID
    password_version: int
    issued_at: datetime
    expires_at: datetime

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "user_id": str(self.user_id),
                "password_version": self.password_version,
                "issued_at": self.issued_at.isoformat(),
                "expires_at": self.expires_at.isoformat(),
            }
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Session":
        raw = json.loads(data)
        return cls(
            user_id=uuid.UUID(raw["user_id"]),
            password_version=int(raw["password_version"]),
            issued_at=datetime.fromisoformat(raw["issued_at"]),
            expires_at=datetime.fromisoformat(raw["expires_at"]),
        )


def new_session_token() -> str:
    """A fresh session token: shown to the client once, stored only as its SHA-256."""
    return session_token(secrets.token_bytes(32))


class SessionStore:
    """Opens, finds and closes sessions in the sessions bucket."""

    def __init__(self, kv: KeyValue, ttl_s: float) -> None:
        self._kv = kv
        self.ttl_s = ttl_s

    async def open(self, token: str, user: UserState, now: datetime) -> Session:
        """Store the session of ``token`` (from ``new_session_token``) for ``user``."""
        session = Session(
            user_id=user.user_id,
            password_version=user.password_version,
            issued_at=now,
            expires_at=now + timedelta(seconds=self.ttl_s),
        )
        await self._kv.put(token_sha256(token), session.to_json())
        return session

    async def find(self, token: str) -> Session | None:
        """The session of ``token``, if it exists (expiry is the caller's check)."""
        try:
            entry = await self._kv.get(token_sha256(token))
        except KeyNotFoundError:
            return None
        return Session.from_json(entry.value) if entry.value else None

    async def close(self, session_id: str) -> None:
        """End the session whose token hashes to ``session_id``."""
        await self._kv.purge(session_id)


def session_credential(headers: Mapping[str, str]) -> str | None:
    """A session token from the bearer header or, failing that, the cookie."""
    token = bearer_token(headers)
    if token is not None and is_session_token(token):
        return token
    cookie = session_cookie(headers)
    return cookie if cookie is not None and is_session_token(cookie) else None


def session_refusal(session: Session, user: UserState | None, now: datetime) -> str | None:
    """Why the session no longer authenticates, or None. Pure."""
    if now >= session.expires_at:
        return "session expired: log in again"
    if user is None or user.disabled:
        return "session ended: the user is disabled"
    if user.password_version != session.password_version:
        return "session ended: the password changed"
    return None


class SessionAuthenticator:
    """The chain link for dashboard sessions."""

    def __init__(
        self, store: Callable[[], SessionStore], directory: Callable[[], Directory],
        clock: Callable[[], datetime],
    ) -> None:  # fmt: skip
        self._store = store
        self._directory = directory
        self._clock = clock

    async def authenticate(self, headers: Mapping[str, str]) -> AuthResult:
        token = session_credential(headers)
        if token is None:
            return None
        session = await self._store().find(token)
        if session is None:
            return Rejection("session unknown or ended: log in again")
        user = self._directory().users.get(session.user_id)
        refusal = session_refusal(session, user, self._clock())
        if refusal or user is None:
            return Rejection(refusal or "session ended")
        return Principal(
            user=user.email, role=user.role, method="session", session_id=token_sha256(token)
        )
