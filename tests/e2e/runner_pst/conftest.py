"""The whole stack on a private NATS and a fresh database: API (in process), runner-pst,
projector and gate, importing into the session's Dovecot destination."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from ipaddress import ip_network

import httpx
import pytest
from pydantic import SecretStr

from mailferry_api.auth.tokens import issue_token
from mailferry_api.main import create_app as create_api
from mailferry_api.settings import ApiSettings
from mailferry_bus import Bus, BusSettings, open_bus, utc_now
from mailferry_contracts.common import Role
from mailferry_gate.main import create_app as create_gate
from mailferry_gate.settings import Settings as GateSettings
from mailferry_projector.main import create_app as create_projector
from mailferry_projector.settings import Settings as ProjectorSettings
from mailferry_runner_pst.main import create_app as create_runner
from tests.fixtures.waiting import wait_for
from tests.integration.runner_pst.runner import KEY, runner_settings

JWT_SECRET = "e2e-tests-" + "s" * 40


@dataclass
class Stack:
    """What a journey talks to."""

    api: httpx.AsyncClient
    bus: Bus
    auth: Callable[..., dict[str, str]]
    database_url: str


@pytest.fixture
async def stack(private_nats, pg_dsn, tmp_path) -> AsyncIterator[Stack]:
    nats_url = private_nats.url
    bus = await open_bus(BusSettings(nats_url=nats_url), "e2e")
    projector = create_projector(
        ProjectorSettings(
            nats_url=nats_url, database_url=SecretStr(pg_dsn), projector_batch_size=100,
            projector_fetch_timeout_s=0.2,
        )
    )  # fmt: skip
    projecting = asyncio.create_task(projector.run())
    await wait_for(lambda: projector.started.is_set() or projecting.done(), what="projector")
    gate = create_gate(GateSettings(nats_url=nats_url, gate_lease_ttl_s=2.0))
    await gate.start()
    runner = create_runner(runner_settings(nats_url, tmp_path / "runner"))
    await runner.start()
    api_settings = ApiSettings(
        nats_url=nats_url, database_url=pg_dsn, jwt_secret=SecretStr(JWT_SECRET),
        credentials_key=SecretStr(KEY), trusted_proxies=[ip_network("10.0.0.0/8")],
    )  # fmt: skip
    api = create_api(api_settings)

    def auth(role: Role = Role.TECHNICIAN, user: str = "tech@example.com") -> dict[str, str]:
        token = issue_token(api_settings, user=user, role=role, ttl_s=600, now=utc_now())
        return {"Authorization": f"Bearer {token}"}

    try:
        async with api.router.lifespan_context(api):
            transport = httpx.ASGITransport(app=api, client=("203.0.113.9", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
                yield Stack(c, bus, auth, pg_dsn)
    finally:
        await runner.stop()
        await gate.stop()
        projecting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await projecting
        await bus.close()
