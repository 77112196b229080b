"""``python -m mailferry_devstack up`` as an operator runs it: a real subprocess, real signals."""

import asyncio
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import nats
import psycopg
import pytest
from nats.js.errors import BucketNotFoundError

from mailferry_devstack.catalog import SERVICES, split_runnable
from mailferry_devstack.ports import free_port
from mailferry_devstack.postgres_cluster import PostgresCluster
from tests.integration.ops.leftovers import descendants, gone

pytestmark = pytest.mark.integration

READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


class Up:
    """One run of the supervisor; ``lines`` is everything it printed so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        self.process = process
        self.stdout = process.stdout
        self.lines: list[str] = []

    async def read_until(self, text: str, timeout: float = READY_TIMEOUT_S) -> str:
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.stdout.readline()
                if not raw:
                    raise AssertionError(f"exited before {text!r}:\n" + "\n".join(self.lines))
                line = raw.decode().rstrip("\n")
                self.lines.append(line)
                if text in line:
                    return line

    async def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        self.process.send_signal(sig)
        async with asyncio.timeout(STOP_TIMEOUT_S):
            rest = await self.stdout.read()
            self.lines += rest.decode().splitlines()
            return await self.process.wait()

    def found(self, pattern: str) -> str:
        for line in self.lines:
            match = re.search(pattern, line)
            if match:
                return match.group(1)
        raise AssertionError(f"no line matches {pattern!r}:\n" + "\n".join(self.lines))


@pytest.fixture
def data_path() -> Iterator[Path]:
    # Not tmp_path: other pytest sessions on the machine reset /tmp/pytest-of-<user> to 0700,
    # which locks the postgres user out of a cluster below it.
    base = Path(tempfile.mkdtemp(prefix="mf-devstack-"))
    yield base / "var"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def up_env(data_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGRATION_")}
    env["MIGRATION_DATA_PATH"] = str(data_path)
    env["MIGRATION_API_PORT"] = str(free_port())
    return env


@pytest.fixture
async def start(
    up_env: dict[str, str], data_path: Path
) -> AsyncIterator[Callable[[], Awaitable[Up]]]:
    runs: list[Up] = []

    async def start_up() -> Up:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "mailferry_devstack",
            "up",
            env=up_env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        runs.append(Up(process))
        return runs[-1]

    yield start_up
    for run in runs:
        if run.process.returncode is None:
            run.process.kill()
            await run.process.wait()
    PostgresCluster(base_dir=data_path / "postgres").stop()


def processes_of(up: Up, data: Path) -> list[int]:
    """The supervisor's descendants, plus the postmaster (pg_ctl detaches it from us)."""
    children = descendants(up.process.pid)
    postmaster = int((data / "postgres" / "data" / "postmaster.pid").read_text().split()[0])
    return [*children, postmaster]


async def write_marks(nats_url: str, dsn: str) -> None:
    nc = await nats.connect(nats_url)
    kv = await nc.jetstream().create_key_value(bucket="devstack_test")
    await kv.put("mark", b"kept")
    await nc.close()
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute("CREATE TABLE devstack_mark (note text)")
        await conn.execute("INSERT INTO devstack_mark VALUES ('kept')")


async def read_marks(nats_url: str, dsn: str) -> tuple[bytes | None, str | None]:
    nc = await nats.connect(nats_url)
    try:
        value = (await (await nc.jetstream().key_value("devstack_test")).get("mark")).value
    except BucketNotFoundError:
        value = None
    await nc.close()
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        row = await (await conn.execute("SELECT note FROM devstack_mark")).fetchone()
    return value, row[0] if row else None


async def test_up_runs_the_stack_stops_cleanly_and_keeps_its_data(start, up_env):
    data = Path(up_env["MIGRATION_DATA_PATH"])
    present, _ = split_runnable(SERVICES)

    first = await start()
    await first.read_until("stack ready")
    nats_url = first.found(r"nats-server ready at (\S+)")
    dsn = first.found(r"PostgreSQL ready at (\S+)")
    assert first.found(r"PostgreSQL ready at .*, (created)\)")
    await write_marks(nats_url, dsn)
    secrets = {p.name: p.read_bytes() for p in (data / "secrets").iterdir()}
    pids = processes_of(first, data)
    assert len(pids) >= 2 + len(present)

    assert await first.stop() == 0
    assert first.lines[-1].endswith("stopped cleanly")
    assert [pid for pid in pids if not gone(pid)] == []

    second = await start()
    await second.read_until("stack ready")
    assert second.found(r"PostgreSQL ready at .*, (reused)\)")
    marks = await read_marks(
        second.found(r"nats-server ready at (\S+)"), second.found(r"PostgreSQL ready at (\S+)")
    )
    assert marks == (b"kept", "kept")
    assert {p.name: p.read_bytes() for p in (data / "secrets").iterdir()} == secrets
    pids = processes_of(second, data)
    assert await second.stop(signal.SIGTERM) == 0
    assert [pid for pid in pids if not gone(pid)] == []


async def test_a_second_stack_on_the_same_data_dir_is_refused(start):
    first = await start()
    await first.read_until("stack ready")

    second = await start()
    await second.process.wait()

    assert second.process.returncode == 1
    assert "in use by another local stack" in (await second.stdout.read()).decode()
    assert await first.stop() == 0
