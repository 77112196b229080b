"""One stack per e2e module: its own NATS and database, API, projector, gate and three runners."""

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from mailferry_bus import Bus, BusSettings, open_bus
from mailferry_devstack.nats_process import NatsProcess
from tests.e2e.stack import Stack
from tests.fixtures.imapsync_standin import write_standin


@pytest.fixture(scope="module")
def stack(pg_server_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    name = f"e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = pg_server_dsn.rsplit("/", 1)[0] + f"/{name}"
    with tempfile.TemporaryDirectory(prefix="mf-e2e-") as tmp:
        base = Path(tmp)
        nats = NatsProcess(store_dir=base / "nats").start()
        # A job with engine imapsync runs the named stand-in, slowed so that a sampler of
        # /proc sees its command line while it runs.
        standin = write_standin(base / "imapsync-standin", msg_delay_s=0.005)
        stack = Stack(
            base=base / "services", nats_url=nats.url, database_url=database_url,
            imapsync_bin=standin.binary,
        )  # fmt: skip
        try:
            stack.start_all(runners=3)
            yield stack
        finally:
            stack.stop()
            nats.stop()
            kept = tmp_path_factory.mktemp("e2e-services")  # pytest keeps the last runs' dirs
            for output in stack.base.glob("*.out"):
                shutil.copy(output, kept / output.name)


@pytest.fixture
async def http(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """An operator's client; every response body is kept for the no-secret check."""
    bodies: list[str] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        bodies.append(response.text)

    async with httpx.AsyncClient(
        base_url=stack.api_url,
        headers={"Authorization": f"Bearer {stack.token()}"},
        event_hooks={"response": [keep]},
        timeout=30,
    ) as client:
        client.bodies = bodies  # type: ignore[attr-defined]
        yield client


@pytest.fixture
async def stack_bus(stack: Stack) -> AsyncIterator[Bus]:
    """A connection to the stack's own NATS, to read what the services published."""
    bus = await open_bus(BusSettings(nats_url=stack.nats_url), "e2e-test", ensure=False)
    yield bus
    await bus.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed e2e test shows what the services warned about: CI keeps no service logs."""
    report = yield
    stack = getattr(item, "funcargs", {}).get("stack")
    if report.failed and call.when == "call" and isinstance(stack, Stack):
        report.sections.append(("service warnings", stack.warnings(per_service=8)))
    return report
