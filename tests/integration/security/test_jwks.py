"""Bearer JWTs from a gateway that publishes its keys as a JWKS URL (served locally here)."""

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mailferry_api.auth.authenticators import Rejection
from mailferry_api.auth.jwks import JwksAuthenticator, JwksCache
from mailferry_api.auth.principal import Principal
from mailferry_api.main import create_app
from mailferry_bus import utc_now
from mailferry_contracts.common import Role

pytestmark = pytest.mark.integration
ISSUER, AUDIENCE = "https://desk.example", "mailferry"


class _Keys:
    """The key set the server publishes; tests change it to rotate keys."""

    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        self.requests = 0


def _handler(keys: _Keys) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            keys.requests += 1
            body = json.dumps(keys.jwks).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, _Keys]]:
    keys = _Keys()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(keys))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json", keys
    server.shutdown()
    server.server_close()


def _public_jwk(private: Any, kid: str, alg: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(private.public_key()))
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


def _token(private: Any, kid: str, alg: str, **claims: Any) -> str:
    now = utc_now()
    body = {"sub": "lead@example.com", "role": "ops_lead", "iss": ISSUER, "aud": AUDIENCE,
            "iat": now, "exp": now + timedelta(minutes=5), **claims}  # fmt: skip
    return jwt.encode(body, private, algorithm=alg, headers={"kid": kid})


def _authenticator(url: str, min_refresh_s: float = 0.0) -> JwksAuthenticator:
    cache = JwksCache(url, max_age_s=300, min_refresh_s=min_refresh_s)
    return JwksAuthenticator(cache, issuer=ISSUER, audience=AUDIENCE, leeway_s=30)


def _headers(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC = ec.generate_private_key(ec.SECP256R1())


class TestJwks:
    @pytest.mark.parametrize(("key", "alg"), [(RSA, "RS256"), (EC, "ES256")], ids=["rsa", "ec"])
    async def test_a_token_signed_by_a_published_key_is_accepted(self, jwks_server, key, alg):
        url, keys = jwks_server
        keys.jwks = {"keys": [_public_jwk(key, "k1", alg)]}
        result = await _authenticator(url).authenticate(_headers(_token(key, "k1", alg)))
        assert result == Principal(user="lead@example.com", role=Role.OPS_LEAD, method="jwks")

    async def test_an_unknown_kid_refreshes_the_keys_once(self, jwks_server):
        url, keys = jwks_server
        keys.jwks = {"keys": [_public_jwk(RSA, "old", "RS256")]}
        authenticator = _authenticator(url)
        assert isinstance(await authenticator.authenticate(_headers(_token(RSA, "old", "RS256"))),
                          Principal)  # fmt: skip
        keys.jwks = {"keys": [_public_jwk(EC, "new", "ES256")]}
        result = await authenticator.authenticate(_headers(_token(EC, "new", "ES256")))
        assert isinstance(result, Principal)
        assert keys.requests == 2

    async def test_unknown_kids_do_not_hammer_the_gateway(self, jwks_server):
        url, keys = jwks_server
        keys.jwks = {"keys": [_public_jwk(RSA, "k1", "RS256")]}
        authenticator = _authenticator(url, min_refresh_s=3600)
        for n in range(5):
            result = await authenticator.authenticate(_headers(_token(RSA, f"junk{n}", "RS256")))
            assert isinstance(result, Rejection)
        assert keys.requests == 1

    @pytest.mark.parametrize(
        "claims",
        [{"iss": "https://evil.example"}, {"aud": "another-app"},
         {"exp": utc_now() - timedelta(minutes=5)}, {"role": "root"}],
        ids=["issuer", "audience", "expired-beyond-leeway", "unknown-role"],
    )  # fmt: skip
    async def test_wrong_claims_are_rejected(self, jwks_server, claims):
        url, keys = jwks_server
        keys.jwks = {"keys": [_public_jwk(RSA, "k1", "RS256")]}
        result = await _authenticator(url).authenticate(
            _headers(_token(RSA, "k1", "RS256", **claims))
        )
        assert isinstance(result, Rejection)

    async def test_a_skew_within_the_leeway_is_accepted(self, jwks_server):
        url, keys = jwks_server
        keys.jwks = {"keys": [_public_jwk(RSA, "k1", "RS256")]}
        token = _token(RSA, "k1", "RS256", exp=utc_now() - timedelta(seconds=10))
        assert isinstance(await _authenticator(url).authenticate(_headers(token)), Principal)

    async def test_a_token_signed_by_another_key_with_a_known_kid_is_rejected(self, jwks_server):
        url, keys = jwks_server
        keys.jwks = {"keys": [_public_jwk(RSA, "k1", "RS256")]}
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        result = await _authenticator(url).authenticate(_headers(_token(other, "k1", "RS256")))
        assert isinstance(result, Rejection)

    async def test_hs256_signed_with_the_public_key_never_reaches_this_link(self, jwks_server):
        url, keys = jwks_server
        jwk = _public_jwk(RSA, "k1", "RS256")
        keys.jwks = {"keys": [jwk]}
        forged = jwt.encode({"sub": "x", "role": "super_admin"}, json.dumps(jwk) * 2,
                            algorithm="HS256", headers={"kid": "k1"})  # fmt: skip
        assert await _authenticator(url).authenticate(_headers(forged)) is None
        assert keys.requests == 0


async def test_the_api_accepts_gateway_tokens_from_the_jwks_url(jwks_server, api_settings):
    url, keys = jwks_server
    keys.jwks = {"keys": [_public_jwk(EC, "gw", "ES256")]}
    settings = api_settings.model_copy(
        update={"jwt_jwks_url": url, "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE}
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            me = await http.get("/api/v1/migration/me", headers=_headers(_token(EC, "gw", "ES256")))
    assert (me.status_code, me.json()["role"]) == (200, "ops_lead")
