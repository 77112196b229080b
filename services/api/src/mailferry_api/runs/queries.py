"""SQL over the ``migration_runs`` read model."""

import uuid
from typing import Any

from psycopg import AsyncConnection

_COLUMNS = (
    "id, job_id, mailbox_id, request_id, run_type, runner_kind, tool, runner_id, status, "
    "attempt, exit_code, stats, error_class, error_message, log_ref, triggered_by, queued_at, "
    "started_at, finished_at, duration_seconds"
)


async def get_run(conn: AsyncConnection[Any], run_id: uuid.UUID) -> dict[str, Any] | None:
    """One run, or None."""
    statement = f"SELECT {_COLUMNS} FROM migration_runs WHERE id = %s"  # noqa: S608 - constant
    row: dict[str, Any] | None = await (await conn.execute(statement, [run_id])).fetchone()
    return row


async def runs_of_mailbox(
    conn: AsyncConnection[Any], mailbox_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of a mailbox's runs, newest first, and how many it has."""
    statement = (
        f"SELECT {_COLUMNS} FROM migration_runs WHERE mailbox_id = %s "  # noqa: S608 - constant
        "ORDER BY queued_at DESC NULLS LAST, id DESC LIMIT %s OFFSET %s"
    )
    rows = await (await conn.execute(statement, [mailbox_id, limit, offset])).fetchall()
    count = "SELECT count(*) AS n FROM migration_runs WHERE mailbox_id = %s"
    total = await (await conn.execute(count, [mailbox_id])).fetchone()
    return list(rows), int(total["n"]) if total else 0


async def mailbox_exists(conn: AsyncConnection[Any], mailbox_id: uuid.UUID) -> bool:
    """Whether the read model knows the mailbox."""
    statement = "SELECT 1 AS one FROM migration_mailboxes WHERE id = %s"
    return await (await conn.execute(statement, [mailbox_id])).fetchone() is not None
