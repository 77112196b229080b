from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from mailferry_api.auth.authenticators import AuthenticatorChain, JwtAuthenticator, Rejection
from mailferry_api.auth.principal import Principal
from mailferry_api.auth.runtime import unchecked_gateway_claims
from mailferry_api.errors import UnauthenticatedError
from mailferry_api.settings import AuthSettings
from mailferry_contracts.common import Role

SECRET = "unit-" + "s" * 64


def _headers(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _token(secret: str = SECRET, algorithm: str = "HS256", **claims) -> str:
    exp = datetime.now(UTC) + timedelta(minutes=5)
    return jwt.encode({"sub": "ann", "role": "ops_lead", "exp": exp, **claims}, secret, algorithm)


class TestJwtAuthenticator:
    async def test_a_valid_token_gives_the_principal(self):
        result = await JwtAuthenticator(SECRET).authenticate(_headers(_token()))
        assert result == Principal(user="ann", role=Role.OPS_LEAD)

    async def test_issuer_and_audience_are_checked_when_configured(self):
        strict = JwtAuthenticator(SECRET, issuer="desk", audience="mailferry")
        good = _token(iss="desk", aud="mailferry")
        assert isinstance(await strict.authenticate(_headers(good)), Principal)
        for bad in (_token(iss="other", aud="mailferry"), _token(aud="mailferry")):
            assert isinstance(await strict.authenticate(_headers(bad)), Rejection)

    async def test_expiry_within_the_leeway_is_accepted(self):
        expired = _token(exp=datetime.now(UTC) - timedelta(seconds=10))
        assert isinstance(await JwtAuthenticator(SECRET, leeway_s=30).authenticate(
            _headers(expired)), Principal)  # fmt: skip
        assert isinstance(await JwtAuthenticator(SECRET, leeway_s=0).authenticate(
            _headers(expired)), Rejection)  # fmt: skip

    @pytest.mark.parametrize(
        "claims",
        [{"role": "root"}, {"sub": ""}, {"exp": None}],
        ids=["unknown-role", "empty-sub", "no-exp"],
    )
    async def test_bad_claims_are_rejected(self, claims):
        payload = {"sub": "ann", "role": "ops_lead", "exp": datetime.now(UTC) + timedelta(hours=1)}
        payload.update(claims)
        token = jwt.encode({k: v for k, v in payload.items() if v is not None}, SECRET, "HS256")
        assert isinstance(await JwtAuthenticator(SECRET).authenticate(_headers(token)), Rejection)

    async def test_other_kinds_of_credentials_are_passed_on(self):
        auth = JwtAuthenticator(SECRET)
        assert await auth.authenticate({}) is None
        assert await auth.authenticate({"authorization": "Basic dTpw"}) is None
        assert await auth.authenticate(_headers("opaque-service-token")) is None
        assert await auth.authenticate(_headers(_token(algorithm="HS512"))) is None


class _ServiceTokens:
    async def authenticate(self, headers):
        if headers.get("authorization") == "Bearer wizard-token":
            return Principal(user="wizard", role=Role.AUDITOR, method="service")
        return None


class TestChain:
    async def test_a_later_link_can_accept_what_the_first_passes_on(self):
        chain = AuthenticatorChain([JwtAuthenticator(SECRET), _ServiceTokens()])
        principal = await chain.authenticate(_headers("wizard-token"))
        assert principal.method == "service"

    async def test_missing_and_rejected_credentials_raise_401_with_the_reason(self):
        chain = AuthenticatorChain([JwtAuthenticator(SECRET)])
        with pytest.raises(UnauthenticatedError, match="missing credentials"):
            await chain.authenticate({})
        with pytest.raises(UnauthenticatedError, match="invalid token"):
            await chain.authenticate(_headers(_token(secret="x" * 40)))


class TestUncheckedGatewayClaims:
    def test_a_gateway_without_issuer_or_audience_is_named(self):
        settings = AuthSettings(jwt_secret=SecretStr("s" * 40))
        assert unchecked_gateway_claims(settings) == [
            "MIGRATION_JWT_ISSUER",
            "MIGRATION_JWT_AUDIENCE",
        ]
        both = settings.model_copy(update={"jwt_issuer": "desk", "jwt_audience": "mailferry"})
        assert unchecked_gateway_claims(both) == []

    def test_without_gateway_tokens_there_is_nothing_to_check(self):
        assert unchecked_gateway_claims(AuthSettings()) == []
