"""Standalone login for the bundled dashboard: ``/api/v1/auth/login`` and ``/logout``."""

from fastapi import APIRouter, Response

from mailferry_api.auth.authenticators import SESSION_COOKIE
from mailferry_api.auth.guard import public, requires
from mailferry_api.auth.login import Client, log_in
from mailferry_api.auth.permissions import Permission
from mailferry_api.auth.ratelimit import RateLimiter, TooManyRequestsError
from mailferry_api.auth.schemas import LoginIn, LoginOut
from mailferry_api.deps import (
    ClientIp,
    CurrentUser,
    Https,
    RequestActor,
    SecurityDep,
    UserAgent,
)
from mailferry_api.errors import ErrorBody
from mailferry_api.tokens.format import session_audit_id
from mailferry_bus import utc_now

router = APIRouter(prefix="/auth", tags=["auth"])
_LOGIN_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "Wrong email or password"},
    429: {"model": ErrorBody, "description": "Too many attempts; see Retry-After"},
}


def limit(limiter: RateLimiter, ip: str | None) -> None:
    """429 when ``ip`` made too many requests to this kind of endpoint."""
    retry = limiter.hit(ip or "unknown")
    if retry > 0:
        raise TooManyRequestsError("too many requests from this address", retry)


@router.post("/login", response_model=LoginOut, **public(responses=_LOGIN_ERRORS))
async def log_in_user(
    body: LoginIn, response: Response, security: SecurityDep, ip: ClientIp, agent: UserAgent,
    https: Https,
) -> LoginOut:  # fmt: skip
    """Open a dashboard session (cookie and bearer token); audited as UserLoggedIn/LoginFailed."""
    limit(security.login_limiter, ip)
    password = body.password.get_secret_value()
    done = await log_in(security, body.email, password, Client(ip, agent), utc_now())
    response.set_cookie(
        SESSION_COOKIE,
        done.token,
        max_age=int(security.sessions.ttl_s),
        path="/",
        secure=https,
        httponly=True,
        samesite="strict",
    )
    return LoginOut(
        token=done.token,
        expires_at=done.session.expires_at,
        user=done.user.email,
        role=done.user.role.value,
    )


@router.post("/logout", status_code=204, **requires(Permission.READ))
async def log_out_user(
    user: CurrentUser, actor: RequestActor, security: SecurityDep, https: Https
) -> Response:
    """End the current dashboard session, audited as UserLoggedOut (a JWT simply expires)."""
    if user.session_id is not None:
        # Ended first: a logout that could not be recorded must not leave the session open.
        await security.sessions.close(user.session_id)
        await security.admin.record_logout(
            user.user, session_audit_id(user.session_id), actor=actor, now=utc_now()
        )
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=https, httponly=True, samesite="strict")
    return response
