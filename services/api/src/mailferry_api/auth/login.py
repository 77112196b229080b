"""Logging in to the bundled dashboard: throttle, verify the argon2 hash, open a session.

Every attempt on an existing account is a fact of that account (UserLoggedIn or
UserLoginFailed, with the client's address and agent); an address that names nobody leaves
no trace, and neither the password tried nor the session token is ever recorded.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime

from mailferry_api.auth.ratelimit import TooManyRequestsError
from mailferry_api.auth.runtime import Security
from mailferry_api.auth.sessions import Session, new_session_token
from mailferry_api.errors import UnauthenticatedError
from mailferry_api.tokens.format import session_audit_id, token_sha256
from mailferry_api.users.state import UserState

WRONG = "wrong email or password"


@dataclass(frozen=True)
class Client:
    """Where a login comes from, as audited."""

    ip: str | None
    user_agent: str | None


@dataclass(frozen=True)
class LoggedIn:
    """A new session; ``token`` is shown to the client once and never stored."""

    token: str
    session: Session
    user: UserState


async def log_in(
    security: Security, email: str, password: str, client: Client, now: datetime
) -> LoggedIn:
    """A session for ``email``; 429 while locked out, 401 for any mismatch (same message)."""
    retry = await security.throttle.retry_after(email, client.ip)
    if retry > 0:
        await _record_failure(security, email, client, now, locked_out=True)
        raise TooManyRequestsError("too many failed logins: wait before trying again", retry)
    # Read from the log itself: a user created a moment ago by the CLI may log in at once.
    user, version = await security.admin.user(email)
    usable = user is not None and not user.disabled
    password_hash = user.password_hash if user is not None and usable else None
    matches = await asyncio.to_thread(security.passwords.verify, password_hash, password)
    if not matches or user is None:
        await security.throttle.record_failure(email, client.ip)
        await _record_failure(security, email, client, now, locked_out=False)
        raise UnauthenticatedError(WRONG)
    token = new_session_token()
    await _record_login(security, user, token, client, now)
    await security.throttle.record_success(email)
    # Sessions are checked against the live directory: let it reach this user first.
    await security.directory.wait_for(version)
    session = await security.sessions.open(token, user, now)
    return LoggedIn(token, session, user)


async def _record_failure(
    security: Security, email: str, client: Client, now: datetime, *, locked_out: bool
) -> None:
    await security.admin.record_login_failure(
        email, locked_out=locked_out, ip=client.ip, user_agent=client.user_agent, now=now
    )


async def _record_login(
    security: Security, user: UserState, token: str, client: Client, now: datetime
) -> None:
    recorded = await security.admin.record_login(
        user.email, user.password_version, session_audit_id(token_sha256(token)),
        ip=client.ip, user_agent=client.user_agent, now=now,
    )  # fmt: skip
    if not recorded:
        # Disabled, or the password changed, between the check and the append.
        raise UnauthenticatedError(WRONG)
