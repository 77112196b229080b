"""Decisions about people and service tokens -> user events. Pure.

Each function receives the fold of one user aggregate (a ``Directory`` of that aggregate alone)
and refuses what contradicts it; the caller appends the result at the folded head.
"""

import uuid
from datetime import datetime
from typing import Any

from mailferry_api.errors import ConflictError, InvalidInputError, NotFoundError
from mailferry_api.users.state import Directory, UserState
from mailferry_contracts import Actor, ActorKind, Envelope, new_envelope
from mailferry_contracts.common import Role
from mailferry_contracts.users import (
    LoginFailure,
    LoginMethod,
    PasswordChanged,
    ServiceScope,
    ServiceTokenIssued,
    ServiceTokenRevoked,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserLoggedIn,
    UserLoggedOut,
    UserLoginFailed,
    UserRoleChanged,
    user_id_for,
)
from mailferry_contracts.validators import email_problem

MAX_NAME = 100


def normalised_email(email: str) -> str:
    """The login name of ``email``: lower case, checked (422 naming the problem)."""
    value = email.strip().lower()
    problem = email_problem(value)
    if problem:
        raise InvalidInputError(f"email {problem}", code="invalid_email")
    return value


def _wrap(payload: Any, aggregate_id: uuid.UUID, actor: Actor, now: datetime) -> Envelope[Any]:
    return new_envelope(payload, aggregate_id=str(aggregate_id), actor=actor, now=now)


def _only_user(directory: Directory, email: str) -> UserState:
    user = directory.user(email)
    if user is None:
        raise NotFoundError(f"no user {email}", code="user_not_found")
    return user


def user_created(
    directory: Directory, email: str, role: Role, password_hash: str | None,
    *, actor: Actor, now: datetime,
) -> list[Envelope[Any]]:  # fmt: skip
    """UserCreated, unless the address is taken (409)."""
    if directory.user(email) is not None:
        raise ConflictError(f"user {email} already exists", code="user_exists")
    user_id = user_id_for(email)
    event = UserCreated(user_id=user_id, email=email, role=role, password_hash=password_hash)
    return [_wrap(event, user_id, actor, now)]


def role_changed(
    directory: Directory, email: str, role: Role, *, actor: Actor, now: datetime
) -> list[Envelope[Any]]:
    """UserRoleChanged if the role differs."""
    user = _only_user(directory, email)
    if user.role == role:
        return []
    return [_wrap(UserRoleChanged(role=role), user.user_id, actor, now)]


def password_changed(
    directory: Directory, email: str, password_hash: str, *, actor: Actor, now: datetime
) -> list[Envelope[Any]]:
    """PasswordChanged (ends the sessions opened with the old password)."""
    user = _only_user(directory, email)
    return [_wrap(PasswordChanged(password_hash=password_hash), user.user_id, actor, now)]


def user_disabled(
    directory: Directory, email: str, reason: str, *, actor: Actor, now: datetime
) -> list[Envelope[Any]]:
    """UserDisabled, unless already disabled (nothing to append)."""
    user = _only_user(directory, email)
    if user.disabled:
        return []
    return [_wrap(UserDisabled(reason=reason), user.user_id, actor, now)]


def user_enabled(
    directory: Directory, email: str, reason: str, *, actor: Actor, now: datetime
) -> list[Envelope[Any]]:
    """UserEnabled, unless not disabled (nothing to append)."""
    user = _only_user(directory, email)
    if not user.disabled:
        return []
    return [_wrap(UserEnabled(reason=reason), user.user_id, actor, now)]


def token_issued(
    token_id: uuid.UUID, name: str, scope: ServiceScope, token_sha256: str,
    *, expires_at: datetime | None, actor: Actor, now: datetime,
) -> list[Envelope[Any]]:  # fmt: skip
    """ServiceTokenIssued for a new token id."""
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise InvalidInputError(f"name must be 1-{MAX_NAME} printable characters")
    if expires_at is not None and expires_at <= now:
        raise InvalidInputError("expires_at is in the past")
    event = ServiceTokenIssued(
        token_id=token_id, name=name, scope=scope, token_sha256=token_sha256,
        expires_at=expires_at,
    )  # fmt: skip
    return [_wrap(event, token_id, actor, now)]


def token_revoked(
    directory: Directory, token_id: uuid.UUID, reason: str, *, actor: Actor, now: datetime
) -> list[Envelope[Any]]:
    """ServiceTokenRevoked, unless unknown (404) or already revoked (nothing to append)."""
    token = directory.tokens.get(token_id)
    if token is None:
        raise NotFoundError(f"no service token {token_id}", code="token_not_found")
    if token.revoked:
        return []
    return [_wrap(ServiceTokenRevoked(token_id=token_id, reason=reason), token_id, actor, now)]


def _themselves(user: UserState, ip: str | None, user_agent: str | None) -> Actor:
    # Nobody is authenticated yet at a login: the person it is about is its actor.
    return Actor(
        kind=ActorKind.USER, user=user.email, role=user.role.value, ip=ip, user_agent=user_agent
    )


def logged_in(
    directory: Directory, email: str, password_version: int, session_id: str,
    *, ip: str | None, user_agent: str | None, now: datetime,
) -> list[Envelope[Any]]:  # fmt: skip
    """UserLoggedIn; nothing if the user was disabled or the password changed since the check."""
    user = directory.user(email)
    if user is None or user.disabled or user.password_version != password_version:
        return []
    event = UserLoggedIn(session_id=session_id, method=LoginMethod.PASSWORD)
    return [_wrap(event, user.user_id, _themselves(user, ip, user_agent), now)]


def login_failed(
    directory: Directory, email: str, *, locked_out: bool,
    ip: str | None, user_agent: str | None, now: datetime,
) -> list[Envelope[Any]]:  # fmt: skip
    """UserLoginFailed for an existing user; nothing for an address that names nobody."""
    user = directory.user(email)
    if user is None:
        return []
    reason = LoginFailure.WRONG_PASSWORD
    if locked_out:
        reason = LoginFailure.LOCKED_OUT
    elif user.disabled:
        reason = LoginFailure.DISABLED
    event = UserLoginFailed(reason=reason)
    return [_wrap(event, user.user_id, _themselves(user, ip, user_agent), now)]


def logged_out(
    directory: Directory, email: str, session_id: str, *, actor: Actor, now: datetime
) -> list[Envelope[Any]]:
    """UserLoggedOut; nothing for a person the directory does not hold."""
    user = directory.user(email)
    if user is None:
        return []
    return [_wrap(UserLoggedOut(session_id=session_id), user.user_id, actor, now)]
