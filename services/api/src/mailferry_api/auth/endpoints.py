"""The caller's identity (the dashboard shows or hides actions by permission)."""

from fastapi import APIRouter

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import ROLE_PERMISSIONS, Permission
from mailferry_api.auth.schemas import Me
from mailferry_api.deps import CurrentUser

router = APIRouter(tags=["auth"])


@router.get("/me", response_model=Me, **requires(Permission.READ))
async def get_me(user: CurrentUser) -> Me:
    """The authenticated user, role and permissions."""
    permissions = sorted(p.value for p in ROLE_PERMISSIONS[user.role])
    return Me(user=user.user, role=user.role.value, permissions=permissions)
