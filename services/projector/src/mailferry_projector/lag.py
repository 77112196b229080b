"""How far the read models trail the event log."""

from dataclasses import dataclass

import psycopg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from psycopg_pool import AsyncConnectionPool

from mailferry_contracts import subjects
from mailferry_projector.store import tracked


@dataclass(frozen=True)
class Lag:
    """Last sequence of the log, last sequence applied, and the difference."""

    stream_last_seq: int
    applied_seq: int

    @property
    def lag(self) -> int:
        """Events appended but not yet in the read models."""
        return max(0, self.stream_last_seq - self.applied_seq)

    def as_dict(self) -> dict[str, int]:
        """JSON-ready form (the health endpoint and ``lag --json``)."""
        return {
            "stream_last_seq": self.stream_last_seq,
            "applied_seq": self.applied_seq,
            "lag": self.lag,
        }


async def stream_last_seq(js: JetStreamContext) -> int:
    """Sequence of the last event in the log (0 while it is empty or absent)."""
    try:
        info = await js.stream_info(subjects.EVENTS_STREAM)
    except NotFoundError:
        return 0
    return int(info.state.last_seq)


async def measure(js: JetStreamContext, pool: AsyncConnectionPool, name: str) -> Lag:
    """Read both positions now (applied first, so the lag is never understated)."""
    async with pool.connection() as conn:
        try:
            applied = await tracked(conn, name)
        except psycopg.errors.UndefinedTable:
            applied = 0  # not migrated yet: nothing applied
    return Lag(await stream_last_seq(js), applied)
