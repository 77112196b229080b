"""Service tokens (for the wizard): issue (shown once), list, revoke. Super admins only."""

import uuid

from fastapi import APIRouter, Response

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.auth.session_endpoints import limit
from mailferry_api.deps import ClientIp, RequestActor, SecurityDep
from mailferry_api.errors import NotFoundError
from mailferry_api.tokens.schemas import IssuedTokenOut, TokenIn, TokenList, TokenOut
from mailferry_api.users.state import TokenState
from mailferry_bus import utc_now

router = APIRouter(prefix="/auth/service-tokens", tags=["auth"])


def _out(token: TokenState) -> TokenOut:
    return TokenOut(
        token_id=token.token_id, name=token.name, scope=token.scope,
        expires_at=token.expires_at, issued_at=token.issued_at, issued_by=token.issued_by,
        revoked=token.revoked,
    )  # fmt: skip


@router.post("", status_code=201, response_model=IssuedTokenOut, **requires(Permission.ADMIN))
async def issue_service_token(
    body: TokenIn, security: SecurityDep, actor: RequestActor, ip: ClientIp
) -> IssuedTokenOut:
    """Issue a service token (ServiceTokenIssued with its hash); the token is shown once."""
    limit(security.token_limiter, ip)
    token, token_id, sequence = await security.admin.issue_token(
        body.name, body.scope, expires_at=body.expires_at, actor=actor, now=utc_now()
    )
    await security.directory.wait_for(sequence)
    state = security.current_directory().tokens[token_id]
    return IssuedTokenOut(**_out(state).model_dump(), token=token)


@router.get("", response_model=TokenList, **requires(Permission.ADMIN))
async def list_service_tokens(security: SecurityDep, ip: ClientIp) -> TokenList:
    """Every service token, newest first (no token, no hash)."""
    limit(security.token_limiter, ip)
    tokens = sorted(
        security.current_directory().tokens.values(), key=lambda t: t.issued_at, reverse=True
    )
    return TokenList(items=[_out(t) for t in tokens])


@router.delete("/{token_id}", status_code=204, **requires(Permission.ADMIN))
async def revoke_service_token(
    token_id: uuid.UUID, security: SecurityDep, actor: RequestActor, ip: ClientIp
) -> Response:
    """Revoke a service token (ServiceTokenRevoked); it stops working everywhere at once."""
    limit(security.token_limiter, ip)
    if token_id not in security.current_directory().tokens:
        raise NotFoundError(f"no service token {token_id}", code="token_not_found")
    sequence = await security.admin.revoke_token(token_id, "", actor=actor, now=utc_now())
    await security.directory.wait_for(sequence)
    return Response(status_code=204)
