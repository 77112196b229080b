"""The API over the session's NATS and a fresh database, plus helpers for people and tokens."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mailferry_api.auth.runtime import Security
from mailferry_bus import utc_now
from mailferry_contracts import Actor, ActorKind
from mailferry_contracts.common import Role
from mailferry_contracts.users import ServiceScope
from tests.integration.api.conftest import (  # noqa: F401 - fixtures shared with the API suite
    CREDENTIALS_KEY,
    JWT_SECRET,
    PEER,
    api_settings,
    app,
    auth,
    client,
    read_models_dsn,
)
from tests.integration.security.spy import SpyTransport

PASSWORD = "correct horse battery staple"
ADMIN_ACTOR = Actor(kind=ActorKind.USER, user="root@example.com", role="super_admin")
AUTH = "/api/v1/auth"


def unique_address() -> str:
    """A client address no other test uses (failed logins are counted per address)."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


@pytest.fixture
async def lone_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811 - the imported fixture
    """A client at an address of its own."""
    transport = SpyTransport(httpx.ASGITransport(app=app, client=(unique_address(), 40000)))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        yield http
    transport.assert_no_echo()


def security_of(app: FastAPI) -> Security:  # noqa: F811 - the imported fixture
    security: Security = app.state.security
    return security


@pytest.fixture
def make_user(app: FastAPI) -> Callable[..., Awaitable[str]]:  # noqa: F811 - the imported fixture
    """Create a local user with PASSWORD; return the email."""

    async def create(email: str, role: Role = Role.TECHNICIAN, password: str = PASSWORD) -> str:
        security = security_of(app)
        sequence = await security.admin.create_user(
            email, role, password, actor=ADMIN_ACTOR, now=utc_now()
        )
        await security.directory.wait_for(sequence)
        return email

    return create


@pytest.fixture
def wizard_token(app: FastAPI) -> Callable[[], Awaitable[str]]:  # noqa: F811 - the imported fixture
    """Issue a wizard service token; return it."""

    async def issue() -> str:
        security = security_of(app)
        token, _, sequence = await security.admin.issue_token(
            "wizard-test", ServiceScope.WIZARD, expires_at=None, actor=ADMIN_ACTOR, now=utc_now()
        )
        await security.directory.wait_for(sequence)
        return token

    return issue


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Any:  # noqa: F811 - the imported fixture
    return await client.post(f"{AUTH}/login", json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "User-Agent": "pytest-agent"}
