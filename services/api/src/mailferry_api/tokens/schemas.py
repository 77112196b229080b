"""HTTP models of service tokens."""

import uuid
from datetime import datetime

from pydantic import AwareDatetime, Field

from mailferry_api.schemas import RequestModel, ResponseModel
from mailferry_contracts.users import ServiceScope


class TokenIn(RequestModel):
    """A service token to issue."""

    name: str = Field(min_length=1, max_length=100, description="Human name, e.g. wizard-prod")
    scope: ServiceScope = Field(description="What the token may do")
    expires_at: AwareDatetime | None = Field(default=None, description="None: until revoked")


class TokenOut(ResponseModel):
    """A service token as listed (never the token, never its hash)."""

    token_id: uuid.UUID
    name: str
    scope: ServiceScope
    expires_at: datetime | None
    issued_at: datetime
    issued_by: str
    revoked: bool


class IssuedTokenOut(TokenOut):
    """A new service token: ``token`` is shown this once and cannot be read again."""

    token: str = Field(description="The token; store it now, mailferry keeps only its hash")


class TokenList(ResponseModel):
    """Every service token, newest first."""

    items: list[TokenOut]
