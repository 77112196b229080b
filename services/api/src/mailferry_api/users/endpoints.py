"""Dashboard users: list, create, change role, disable/enable. Super admins only."""

import uuid

from fastapi import APIRouter

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import RequestActor, SecurityDep
from mailferry_api.errors import NotFoundError
from mailferry_api.users.schemas import UserChange, UserIn, UserList, UserOut
from mailferry_api.users.state import UserState
from mailferry_bus import utc_now

router = APIRouter(prefix="/auth/users", tags=["auth"])


def _out(user: UserState) -> UserOut:
    return UserOut(
        user_id=user.user_id, email=user.email, role=user.role, disabled=user.disabled,
        has_password=user.password_hash is not None, created_at=user.created_at,
        created_by=user.created_by,
    )  # fmt: skip


def _user(security: SecurityDep, user_id: uuid.UUID) -> UserState:
    user = security.current_directory().users.get(user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}", code="user_not_found")
    return user


@router.get("", response_model=UserList, **requires(Permission.ADMIN))
async def list_users(security: SecurityDep) -> UserList:
    """Every user, by email."""
    users = sorted(security.current_directory().users.values(), key=lambda u: u.email)
    return UserList(items=[_out(u) for u in users])


@router.post("", status_code=201, response_model=UserOut, **requires(Permission.ADMIN))
async def create_user(body: UserIn, security: SecurityDep, actor: RequestActor) -> UserOut:
    """Create a user who logs in with a password (UserCreated with its argon2 hash)."""
    password = body.password.get_secret_value()
    sequence = await security.admin.create_user(
        body.email, body.role, password, actor=actor, now=utc_now()
    )
    await security.directory.wait_for(sequence)
    user = security.current_directory().user(body.email)
    assert user is not None  # noqa: S101 - the directory just applied UserCreated
    return _out(user)


@router.patch("/{user_id}", response_model=UserOut, **requires(Permission.ADMIN))
async def change_user(
    user_id: uuid.UUID, body: UserChange, security: SecurityDep, actor: RequestActor
) -> UserOut:
    """Change the role (UserRoleChanged) and/or disable or enable (sessions end at once)."""
    email, now, sequence = _user(security, user_id).email, utc_now(), 0
    if body.role is not None:
        sequence = await security.admin.set_role(email, body.role, actor=actor, now=now)
    if body.disabled is not None:
        sequence = max(
            sequence,
            await security.admin.set_disabled(
                email, body.disabled, body.reason, actor=actor, now=now
            ),
        )
    await security.directory.wait_for(sequence)
    return _out(_user(security, user_id))
