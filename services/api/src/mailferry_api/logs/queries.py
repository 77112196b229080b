"""SQL over the read models: which run's log to serve."""

import uuid
from typing import Any

from psycopg import AsyncConnection

_LATEST = (
    "SELECT id FROM migration_runs WHERE mailbox_id = %s "
    "ORDER BY COALESCE(started_at, queued_at) DESC NULLS LAST, id DESC LIMIT 1"
)


async def latest_run(conn: AsyncConnection[Any], mailbox_id: uuid.UUID) -> uuid.UUID | None:
    """The mailbox's most recent run (started last, else queued last), or None."""
    row = await (await conn.execute(_LATEST, [mailbox_id])).fetchone()
    return row["id"] if row else None


async def run_of_mailbox(
    conn: AsyncConnection[Any], mailbox_id: uuid.UUID, run_id: uuid.UUID
) -> bool:
    """Whether the run exists and belongs to the mailbox."""
    statement = "SELECT 1 AS one FROM migration_runs WHERE id = %s AND mailbox_id = %s"
    return await (await conn.execute(statement, [run_id, mailbox_id])).fetchone() is not None


async def mailbox_exists(conn: AsyncConnection[Any], mailbox_id: uuid.UUID) -> bool:
    """Whether the read model knows the mailbox."""
    statement = "SELECT 1 AS one FROM migration_mailboxes WHERE id = %s"
    return await (await conn.execute(statement, [mailbox_id])).fetchone() is not None
