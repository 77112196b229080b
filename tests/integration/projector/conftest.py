"""A projector against a private NATS server and a fresh database, and ways to look at it."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import psycopg
import pytest
from psycopg import sql
from pydantic import SecretStr

from mailferry_bus import Bus, BusSettings, open_bus
from mailferry_contracts import Envelope, encode, subjects
from mailferry_devstack.nats_process import NatsProcess
from mailferry_projector import decoding
from mailferry_projector.main import ProjectorApp, create_app
from mailferry_projector.settings import Settings
from mailferry_projector.store import Tracking, connection_kwargs, migrate, owned_tables
from tests.fixtures.waiting import wait_for

LIVE = Tracking("public", subjects.PROJECTOR_DURABLE, subjects.EVENTS_STREAM)
"""The live projection's tracking, for tests that call ``apply_batch`` themselves."""


@pytest.fixture
async def log_bus(private_nats: NatsProcess) -> AsyncIterator[Bus]:
    """A bus on the test's own NATS server: the log holds this test's events only."""
    bus = await open_bus(BusSettings(nats_url=private_nats.url), "tests")
    yield bus
    await bus.close()


@pytest.fixture
def settings(private_nats: NatsProcess, pg_dsn: str) -> Settings:
    return Settings(
        nats_url=private_nats.url,
        database_url=SecretStr(pg_dsn),
        projector_batch_size=50,
        projector_fetch_timeout_s=0.2,
        projector_ack_wait_s=5.0,
    )


class RunningProjector:
    """The live projector as a task of the test's event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: ProjectorApp | None = None
        self.task: asyncio.Task[None] | None = None

    def launch(self) -> ProjectorApp:
        """Start the task; the app may stand by while another instance is active."""
        app = self.app = create_app(self.settings)
        self.task = asyncio.create_task(app.run())
        return app

    async def start(self) -> ProjectorApp:
        app = self.launch()
        task = self.task
        assert task is not None
        await wait_for(lambda: app.started.is_set() or task.done(), what="projector start")
        if task.done():
            task.result()
        return app

    async def stop(self) -> None:
        if self.task is None:
            return
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        self.task = None

    async def applied(self, schema="public"):  # untyped: wait_for cannot type async probes
        return await applied_seq(self.settings.database_url.get_secret_value(), schema)

    async def wait_applied(self, seq: int, timeout: float = 30.0) -> None:
        async def reached():
            if self.task is not None and self.task.done():
                self.task.result()
            return await self.applied() >= seq

        await wait_for(reached, timeout=timeout, what=f"projection up to sequence {seq}")


@pytest.fixture
async def projector(settings: Settings) -> AsyncIterator[RunningProjector]:
    running = RunningProjector(settings)
    yield running
    await running.stop()


async def append_all(bus: Bus, envelopes: Sequence[Envelope[Any]]) -> int:
    """Append one by one through the event store, in order; return the last sequence."""
    last = 0
    for env in envelopes:
        [last] = await bus.events.append([env])
    return last


async def applied_seq(dsn: str, schema: str = "public") -> int:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        try:
            cur = await conn.execute(
                sql.SQL("SELECT last_seq FROM {} WHERE name = %s").format(
                    sql.Identifier(schema, "projection_tracking")
                ),
                (subjects.PROJECTOR_DURABLE,),
            )
        except psycopg.errors.UndefinedTable:
            return 0
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def fetch(dsn: str, query: str, *params: Any) -> list[dict[str, Any]]:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        cur = conn.cursor(row_factory=psycopg.rows.dict_row)
        await cur.execute(query, params or None)
        return await cur.fetchall()


async def dump(dsn: str, schema: str = "public") -> dict[str, bytes]:
    """Every table of the projector, ordered by primary key, as COPY text."""
    tables: dict[str, bytes] = {}
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        for table in owned_tables():
            keys = await _primary_key(conn, schema, table)
            query = sql.SQL("COPY (SELECT * FROM {} ORDER BY {}) TO STDOUT").format(
                sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, keys))
            )
            chunks = []
            async with conn.cursor().copy(query) as copy:
                async for chunk in copy:
                    chunks.append(bytes(chunk))
            tables[table] = b"".join(chunks)
    return tables


async def _primary_key(conn: psycopg.AsyncConnection[Any], schema: str, table: str) -> list[str]:
    cur = await conn.execute(
        """
        SELECT a.attname FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = %s::regclass AND i.indisprimary
        ORDER BY array_position(i.indkey, a.attnum)
        """,
        (f'"{schema}"."{table}"',),
    )
    return [row[0] for row in await cur.fetchall()]


def items_of(envelopes: Sequence[Envelope[Any]], first_seq: int = 1) -> list[decoding.Item]:
    """Envelopes as the projector reads them from the log, at consecutive sequences."""
    return [
        decoding.read(seq, "migration.events.test", encode(env))
        for seq, env in enumerate(envelopes, start=first_seq)
    ]


@pytest.fixture
async def conn(pg_dsn: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A connection to the test database, migrated, on the public schema."""
    async with await psycopg.AsyncConnection.connect(
        pg_dsn, **connection_kwargs("public")
    ) as connection:
        await migrate(connection, "public")
        yield connection
