"""Bearer JWTs signed by the Desk gateway's asymmetric keys, published as a JWKS URL.

Keys are cached by ``kid``. A token naming an unknown ``kid`` triggers one refresh (keys
rotate), at most once per ``min_refresh_s`` so that junk tokens cannot make us hammer the
gateway. Only RS256 and ES256 are accepted: a token whose header says HS256 never reaches
this link, so a public key can never be misused as an HMAC secret.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import jwt

from mailferry_api.auth.authenticators import (
    AuthResult,
    Rejection,
    bearer_token,
    jwt_algorithm,
    principal_from_claims,
    required_claims,
)

log = logging.getLogger(__name__)
ALGORITHMS = frozenset({"RS256", "ES256"})
MAX_JWKS_BYTES = 256 * 1024


class JwksError(RuntimeError):
    """The key set could not be fetched or read."""


def parse_jwks(document: Any) -> dict[str, dict[str, Any]]:
    """Signing keys of a JWKS document by ``kid`` (keys without a kid are keyed ``""``)."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksError("not a JWKS document (expected an object with a 'keys' list)")
    keys: dict[str, dict[str, Any]] = {}
    for jwk in document["keys"]:
        if isinstance(jwk, dict) and jwk.get("use", "sig") == "sig":
            keys[str(jwk.get("kid", ""))] = jwk
    return keys


class JwksCache:
    """The key set at ``url``, fetched lazily and refreshed on an unknown ``kid``."""

    def __init__(
        self,
        url: str,
        *,
        max_age_s: float = 300.0,
        min_refresh_s: float = 30.0,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._max_age = max_age_s
        self._min_refresh = min_refresh_s
        self._timeout = timeout_s
        self._clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    def _age(self) -> float:
        return float("inf") if self._fetched_at is None else self._clock() - self._fetched_at

    async def key(self, kid: str) -> dict[str, Any] | None:
        """The JWK named ``kid``, refreshing the set when it is stale or lacks the kid."""
        if kid in self._keys and self._age() < self._max_age:
            return self._keys[kid]
        async with self._lock:
            stale = kid not in self._keys or self._age() >= self._max_age
            if stale and self._age() >= self._min_refresh:
                await self._refresh()
        return self._keys.get(kid)

    async def _fetch(self) -> dict[str, dict[str, Any]]:
        async with httpx.AsyncClient(timeout=self._timeout) as http:
            response = await http.get(self._url, headers={"Accept": "application/json"})
        response.raise_for_status()
        if len(response.content) > MAX_JWKS_BYTES:
            raise JwksError(f"JWKS at {self._url} is larger than {MAX_JWKS_BYTES} bytes")
        return parse_jwks(response.json())

    async def _refresh(self) -> None:
        self._fetched_at = self._clock()
        try:
            self._keys = await self._fetch()
        except (httpx.HTTPError, ValueError, JwksError) as exc:
            # Keep the keys we had: a gateway hiccup must not log everybody out.
            log.warning("could not refresh the JWKS at %s: %s", self._url, exc)


class JwksAuthenticator:
    """RS256/ES256 bearer tokens verified against a JWKS URL."""

    def __init__(
        self,
        cache: JwksCache,
        *,
        issuer: str | None = None,
        audience: str | None = None,
        leeway_s: float = 30.0,
    ) -> None:
        self._cache = cache
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_s

    async def authenticate(self, headers: Mapping[str, str]) -> AuthResult:
        token = bearer_token(headers)
        algorithm = jwt_algorithm(token) if token else None
        if token is None or algorithm not in ALGORITHMS:
            return None
        try:
            kid = str(jwt.get_unverified_header(token).get("kid") or "")
            jwk = await self._cache.key(kid)
            if jwk is None:
                return Rejection(f"invalid token: no key {kid[:64]!r} in the gateway's key set")
            if jwk.get("alg", algorithm) != algorithm:
                return Rejection(f"invalid token: key {kid[:64]!r} is not an {algorithm} key")
            claims = jwt.decode(
                token,
                jwt.PyJWK(jwk, algorithm).key,
                algorithms=[algorithm],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options=required_claims(self._issuer, self._audience),
            )
        except jwt.PyJWTError as exc:
            return Rejection(f"invalid token: {exc}")
        return principal_from_claims(claims, "jwks")
