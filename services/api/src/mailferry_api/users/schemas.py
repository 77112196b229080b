"""HTTP models of dashboard users."""

import uuid
from datetime import datetime

from pydantic import Field, SecretStr

from mailferry_api.auth.passwords import MAX_PASSWORD
from mailferry_api.schemas import RequestModel, ResponseModel
from mailferry_contracts.common import Role


class UserIn(RequestModel):
    """A local user of the bundled dashboard."""

    email: str = Field(min_length=3, max_length=254, description="Login email address")
    role: Role = Field(description="Role (DESIGN §7)")
    password: SecretStr = Field(
        min_length=1,
        max_length=MAX_PASSWORD,
        json_schema_extra={"writeOnly": True},
        description="Initial password (stored as an argon2id hash, never returned)",
    )


class UserChange(RequestModel):
    """Changes to a user: role and/or enabled."""

    role: Role | None = Field(default=None, description="New role")
    disabled: bool | None = Field(default=None, description="True disables, false enables")
    reason: str = Field(default="", max_length=500, description="Why (audited)")


class UserOut(ResponseModel):
    """A user (never the password or its hash)."""

    user_id: uuid.UUID
    email: str
    role: Role
    disabled: bool
    has_password: bool
    created_at: datetime | None
    created_by: str


class UserList(ResponseModel):
    """Every user, by email."""

    items: list[UserOut]
