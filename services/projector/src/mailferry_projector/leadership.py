"""One active projector per schema: a session advisory lock held for the process's lifetime.

A second instance (a rolling deploy, a replica) stands by until the lock is free. Without it,
two instances would share the durable consumer and keep moving each other's position. The
lock is not the apply lock: a rebuild must still get in between two batches of the leader.
"""

import asyncio
import logging
import zlib
from typing import Any

import psycopg

log = logging.getLogger(__name__)

STANDBY_POLL_S = 2.0
WATCH_INTERVAL_S = 5.0


def leader_key(schema: str) -> int:
    """Advisory lock naming the live projector of ``schema``."""
    return zlib.crc32(f"mailferry-projector-leader:{schema}".encode())


class Leadership:
    """Holds the leader lock on a connection of its own."""

    def __init__(self, url: str, schema: str) -> None:
        self._url = url
        self._key = leader_key(schema)
        self._conn: psycopg.AsyncConnection[Any] | None = None

    async def acquire(self) -> None:
        """Return once this process is the leader; stand by meanwhile."""
        self._conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
        announced = False
        while not await self._try():
            if not announced:
                log.info("another projector is active; standing by")
                announced = True
            await asyncio.sleep(STANDBY_POLL_S)
        log.info("this projector is the active one")

    async def _try(self) -> bool:
        assert self._conn is not None  # noqa: S101 - acquire() connects first
        cursor = await self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,))
        row = await cursor.fetchone()
        return bool(row and row[0])

    async def watch(self) -> None:
        """Raise as soon as the lock's connection is gone (another instance may take over)."""
        assert self._conn is not None  # noqa: S101 - acquire() connects first
        while True:
            await asyncio.sleep(WATCH_INTERVAL_S)
            await self._conn.execute("SELECT 1")

    async def release(self) -> None:
        """Give the lock up (closing the connection releases it)."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
