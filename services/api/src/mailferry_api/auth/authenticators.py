"""A chain of authenticators; each vouches for the caller, rejects, or passes.

Each link returns a caller, rejects credentials it recognises, or passes them on. The links
(dashboard sessions, service tokens, HS256 and JWKS bearer JWTs) are built in ``main.py``;
routes never change when one is added.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any, Protocol

import jwt
from jwt.types import Options

from mailferry_api.auth.principal import Caller, Principal
from mailferry_api.errors import UnauthenticatedError
from mailferry_contracts.common import Role

_JWT_SEGMENTS = 3
SESSION_COOKIE = "mf_session"
MAX_CREDENTIAL = 8192


@dataclass(frozen=True)
class Rejection:
    """The authenticator recognised the credentials and found them invalid."""

    reason: str


AuthResult = Caller | Rejection | None
"""A caller, a rejection, or None when the credentials are not this authenticator's kind."""


class Authenticator(Protocol):
    """One way to prove who is calling."""

    async def authenticate(self, headers: Mapping[str, str]) -> AuthResult:
        """Inspect the request headers."""


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > MAX_CREDENTIAL:
        return None
    return token.strip()


def session_cookie(headers: Mapping[str, str]) -> str | None:
    """The dashboard's session cookie, if any."""
    raw = headers.get("cookie", "")
    if SESSION_COOKIE not in raw or len(raw) > MAX_CREDENTIAL:
        return None
    try:
        morsel = SimpleCookie(raw).get(SESSION_COOKIE)
    except CookieError:
        return None
    return morsel.value if morsel is not None and morsel.value else None


def principal_from_claims(claims: dict[str, Any], method: str) -> Principal | Rejection:
    """The person a verified JWT names (``sub`` and ``role`` claims)."""
    user, role = claims.get("sub"), claims.get("role")
    if not isinstance(user, str) or not user.strip():
        return Rejection("invalid token: empty sub claim")
    if role not in {r.value for r in Role}:
        return Rejection(f"invalid token: unknown role {str(role)[:32]!r}")
    return Principal(user=user, role=Role(role), method=method)


def jwt_algorithm(token: str) -> str | None:
    """The ``alg`` of a token shaped like a JWT, without verifying anything; else None."""
    if token.count(".") != _JWT_SEGMENTS - 1:
        return None
    try:
        alg = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError:
        return None
    return alg if isinstance(alg, str) else None


class JwtAuthenticator:
    """HS256 bearer tokens with ``sub`` and ``role`` claims (the Desk gateway's tokens)."""

    algorithm = "HS256"

    def __init__(
        self,
        secret: str,
        *,
        issuer: str | None = None,
        audience: str | None = None,
        leeway_s: float = 30.0,
    ) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_s

    async def authenticate(self, headers: Mapping[str, str]) -> AuthResult:
        token = bearer_token(headers)
        if token is None or jwt_algorithm(token) != self.algorithm:
            return None
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self.algorithm],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options=required_claims(self._issuer, self._audience),
            )
        except jwt.PyJWTError as exc:
            return Rejection(f"invalid token: {exc}")
        return principal_from_claims(claims, "jwt")


def required_claims(issuer: str | None, audience: str | None) -> Options:
    """PyJWT options: ``exp``, ``sub``, ``role`` always; ``iss``/``aud`` when configured."""
    required = ["exp", "sub", "role"] + (["iss"] if issuer else []) + (["aud"] if audience else [])
    return {"require": required, "verify_aud": audience is not None}


class AuthenticatorChain:
    """Tries each authenticator in order; the first caller wins."""

    def __init__(self, authenticators: Sequence[Authenticator]) -> None:
        self._authenticators = tuple(authenticators)

    async def identify(self, headers: Mapping[str, str]) -> AuthResult:
        """The caller, else the first rejection, else None (no usable credentials)."""
        rejection: Rejection | None = None
        for authenticator in self._authenticators:
            result = await authenticator.authenticate(headers)
            if result is not None and not isinstance(result, Rejection):
                return result
            rejection = rejection or result
        return rejection

    async def authenticate(self, headers: Mapping[str, str]) -> Caller:
        """The caller, or ``UnauthenticatedError`` (HTTP 401) saying why not."""
        result = await self.identify(headers)
        if isinstance(result, Rejection):
            raise UnauthenticatedError(result.reason)
        if result is None:
            raise UnauthenticatedError("missing credentials (bearer token or session cookie)")
        return result
