"""Changing people and service tokens: decide on the folded aggregate, append with OCC.

Shared by the API endpoints and the ``users``/``service-tokens`` CLI.
"""

import asyncio
import secrets
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from nats.js.errors import NotFoundError

from mailferry_api.auth.passwords import Passwords, password_problem
from mailferry_api.errors import InvalidInputError
from mailferry_api.tokens.format import service_token, token_sha256
from mailferry_api.users import commands
from mailferry_api.users.state import Directory, TokenState, UserState, fold
from mailferry_bus import Bus, StoredEvent
from mailferry_contracts import Actor, Envelope, subjects
from mailferry_contracts.common import Role
from mailferry_contracts.users import ServiceScope, user_id_for

Decide = Callable[[Directory], Sequence[Envelope[Any]]]
LOGIN_ATTEMPTS = 10
"""Concurrent logins of one person conflict on their aggregate: retry rather than refuse one."""


class UserAdmin:
    """Creates, changes and disables people; issues and revokes service tokens."""

    def __init__(self, bus: Bus, passwords: Passwords) -> None:
        self._bus = bus
        self._events = bus.events
        self._passwords = passwords

    async def _update(self, aggregate_id: uuid.UUID, decide: Decide, attempts: int = 3) -> int:
        """Append what ``decide`` says; the last appended sequence (0: nothing to append)."""
        _, sequences = await self._events.update(
            subjects.AGGREGATE_USER, str(aggregate_id), fold, decide, attempts
        )
        return sequences[-1] if sequences else 0

    async def _hash(self, password: str) -> str:
        problem = password_problem(password)
        if problem:
            raise InvalidInputError(problem, code="weak_password")
        # argon2 is deliberately slow: keep it off the event loop.
        return await asyncio.to_thread(self._passwords.hash, password)

    async def create_user(
        self, email: str, role: Role, password: str | None, *, actor: Actor, now: datetime
    ) -> int:
        """A new person (409 if the address exists); the sequence of UserCreated."""
        email = commands.normalised_email(email)
        hashed = await self._hash(password) if password is not None else None
        return await self._update(
            user_id_for(email),
            lambda d: commands.user_created(d, email, role, hashed, actor=actor, now=now),
        )

    async def set_password(self, email: str, password: str, *, actor: Actor, now: datetime) -> int:
        """Replace the password (open sessions end)."""
        email = commands.normalised_email(email)
        hashed = await self._hash(password)
        return await self._update(
            user_id_for(email),
            lambda d: commands.password_changed(d, email, hashed, actor=actor, now=now),
        )

    async def set_role(self, email: str, role: Role, *, actor: Actor, now: datetime) -> int:
        """Change the role."""
        email = commands.normalised_email(email)
        return await self._update(
            user_id_for(email),
            lambda d: commands.role_changed(d, email, role, actor=actor, now=now),
        )

    async def set_disabled(
        self, email: str, disabled: bool, reason: str, *, actor: Actor, now: datetime
    ) -> int:
        """Disable (sessions end at once) or enable again."""
        email = commands.normalised_email(email)
        decide = commands.user_disabled if disabled else commands.user_enabled
        return await self._update(
            user_id_for(email), lambda d: decide(d, email, reason, actor=actor, now=now)
        )

    async def issue_token(
        self, name: str, scope: ServiceScope, *, expires_at: datetime | None,
        actor: Actor, now: datetime,
    ) -> tuple[str, uuid.UUID, int]:  # fmt: skip
        """A new service token (shown once, only its hash is kept), its id, its sequence."""
        token_id = uuid.uuid4()
        token = service_token(token_id, secrets.token_bytes(32))
        digest = token_sha256(token)
        sequence = await self._update(
            token_id,
            lambda _: commands.token_issued(
                token_id, name, scope, digest, expires_at=expires_at, actor=actor, now=now
            ),
        )
        return token, token_id, sequence

    async def revoke_token(
        self, token_id: uuid.UUID, reason: str, *, actor: Actor, now: datetime
    ) -> int:
        """Revoke a service token (404 if unknown)."""
        return await self._update(
            token_id, lambda d: commands.token_revoked(d, token_id, reason, actor=actor, now=now)
        )

    async def record_login(
        self, email: str, password_version: int, session_id: str,
        *, ip: str | None, user_agent: str | None, now: datetime,
    ) -> int:  # fmt: skip
        """UserLoggedIn; 0 if the password checked no longer opens the account."""
        return await self._update(
            user_id_for(email),
            lambda d: commands.logged_in(
                d, email, password_version, session_id, ip=ip, user_agent=user_agent, now=now
            ),
            LOGIN_ATTEMPTS,
        )

    async def record_login_failure(
        self, email: str, *, locked_out: bool, ip: str | None, user_agent: str | None,
        now: datetime,
    ) -> int:  # fmt: skip
        """UserLoginFailed if ``email`` names a user (0 otherwise: nothing is recorded)."""
        return await self._update(
            user_id_for(email),
            lambda d: commands.login_failed(
                d, email, locked_out=locked_out, ip=ip, user_agent=user_agent, now=now
            ),
            LOGIN_ATTEMPTS,
        )

    async def record_logout(
        self, email: str, session_id: str, *, actor: Actor, now: datetime
    ) -> int:
        """UserLoggedOut of the session ``session_id`` (its audit id)."""
        return await self._update(
            user_id_for(email),
            lambda d: commands.logged_out(d, email, session_id, actor=actor, now=now),
            LOGIN_ATTEMPTS,
        )

    async def directory(self) -> Directory:
        """Every person and token, read from the event log now."""
        return fold(await read_user_events(self._bus))

    async def user(self, email: str) -> tuple[UserState | None, int]:
        """One person, read from their aggregate now, and the sequence it was read at."""
        events, head = await self._events.load(subjects.AGGREGATE_USER, str(user_id_for(email)))
        return fold(events).user(email), head.sequence

    async def token(self, token_id: uuid.UUID) -> TokenState | None:
        """One service token, read from its aggregate now."""
        events, _ = await self._events.load(subjects.AGGREGATE_USER, str(token_id))
        return fold(events).tokens.get(token_id)


USERS = subjects.aggregates_of_kind(subjects.AGGREGATE_USER)


async def user_events_head(bus: Bus) -> int:
    """Stream sequence of the last event of any user aggregate (0: none)."""
    try:
        msg = await bus.js.get_last_msg(subjects.EVENTS_STREAM, USERS)
    except NotFoundError:
        return 0
    return msg.seq or 0


async def read_user_events(bus: Bus) -> list[StoredEvent]:
    """Every event of every user aggregate."""
    head = await user_events_head(bus)
    return await bus.events.read(USERS, head) if head else []
