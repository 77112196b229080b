"""An API app per test over the session's NATS and a fresh PostgreSQL database."""

from collections.abc import AsyncIterator, Callable
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

import mailferry_projector
from mailferry_api.auth.tokens import issue_token
from mailferry_api.main import create_app
from mailferry_api.settings import ApiSettings
from mailferry_bus import BusSettings, utc_now
from mailferry_contracts.common import Role
from mailferry_vault import generate_key_spec
from tests.integration.security.spy import SpyTransport

JWT_SECRET = "integration-tests-" + "k" * 32
PEER = "203.0.113.7"
READ_MODELS_SQL = Path(mailferry_projector.__file__).parent / "sql" / "001_read_models.sql"
CREDENTIALS_KEY = generate_key_spec("k1")
"""One key ring for the whole session: the vault proves the key against what the shared NATS
server already holds, so two tests with different keys would be a 'wrong key' at start."""


@pytest.fixture
def read_models_dsn(pg_dsn: str) -> str:
    """A database with the projector's read-model tables (empty)."""
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(READ_MODELS_SQL.read_text().encode())
    return pg_dsn


@pytest.fixture
def api_settings(bus_settings: BusSettings, read_models_dsn: str) -> ApiSettings:
    return ApiSettings(
        nats_url=bus_settings.nats_url,
        database_url=read_models_dsn,
        jwt_secret=SecretStr(JWT_SECRET),
        credentials_key=SecretStr(CREDENTIALS_KEY),
        trusted_proxies=[ip_network("10.0.0.0/8")],
        max_csv_bytes=2 * 1024 * 1024,
    )


def settings_over(nats_url: str, dsn: str) -> ApiSettings:
    """The API over a given NATS server and database, e.g. those of a test's own projector."""
    return ApiSettings(
        nats_url=nats_url,
        database_url=dsn,
        jwt_secret=SecretStr(JWT_SECRET),
        credentials_key=SecretStr(CREDENTIALS_KEY),
    )


@pytest.fixture
async def app(api_settings: ApiSettings) -> AsyncIterator[FastAPI]:
    application = create_app(api_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose every response is checked for the passwords the test sent."""
    spy = SpyTransport(httpx.ASGITransport(app=app, client=(PEER, 40000)))
    async with httpx.AsyncClient(transport=spy, base_url="http://api.test") as http:
        yield http
    spy.assert_no_echo()


@pytest.fixture
def auth(api_settings: ApiSettings) -> Callable[..., dict[str, str]]:
    """Headers with a bearer token for a role."""

    def headers(role: Role = Role.TECHNICIAN, user: str = "tech@example.com") -> dict[str, Any]:
        token = issue_token(api_settings, user=user, role=role, ttl_s=600, now=utc_now())
        return {"Authorization": f"Bearer {token}", "User-Agent": "pytest-agent"}

    return headers
