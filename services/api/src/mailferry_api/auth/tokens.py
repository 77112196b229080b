"""Signed development tokens (``python -m mailferry_api token``)."""

from datetime import datetime, timedelta

import jwt

from mailferry_api.settings import AuthSettings
from mailferry_contracts.common import Role


def issue_token(settings: AuthSettings, *, user: str, role: Role, ttl_s: int, now: datetime) -> str:
    """An HS256 token the API accepts, valid for ``ttl_s`` seconds from ``now``."""
    if settings.jwt_secret is None:
        raise ValueError("MIGRATION_JWT_SECRET is not set: HS256 tokens are disabled")
    claims: dict[str, object] = {
        "sub": user,
        "role": role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_s)).timestamp()),
    }
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
