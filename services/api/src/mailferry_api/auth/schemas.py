"""HTTP models of the caller's identity."""

from datetime import datetime

from pydantic import Field, SecretStr

from mailferry_api.auth.passwords import MAX_PASSWORD
from mailferry_api.schemas import RequestModel, ResponseModel


class Me(ResponseModel):
    """Who the token says you are and what you may do."""

    user: str = Field(description="The token's subject")
    role: str = Field(description="technician, ops_lead, super_admin or auditor")
    permissions: list[str] = Field(description="Permissions of the role")


class LoginIn(RequestModel):
    """Email and password of a local user of the bundled dashboard."""

    email: str = Field(min_length=3, max_length=254, description="Login email address")
    password: SecretStr = Field(
        min_length=1,
        max_length=MAX_PASSWORD,
        json_schema_extra={"writeOnly": True},
        description="Password (never stored or returned)",
    )


class LoginOut(ResponseModel):
    """A new session: also set as the ``mf_session`` cookie."""

    token: str = Field(description="Session token; send as `Authorization: Bearer` or cookie")
    token_type: str = Field(default="bearer", description="Always bearer")
    expires_at: datetime = Field(description="When the session ends")
    user: str = Field(description="The user's email")
    role: str = Field(description="The user's role")
