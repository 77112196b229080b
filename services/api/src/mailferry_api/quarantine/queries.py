"""All SQL over ``migration_quarantine`` (and the runs that left artifacts)."""

import uuid
from typing import Any

from psycopg import AsyncConnection

_COLUMNS = (
    "run_id, item_index, job_id, mailbox_id, folder, subject, message_date, size_bytes, reason, "
    "detail, artifact, decision, reviewed_by, reviewed_at"
)
_ORDER = "ORDER BY run_id, item_index LIMIT %s OFFSET %s"


async def quarantine_of_mailbox(
    conn: AsyncConnection[Any], mailbox_id: uuid.UUID, *, pending: bool, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A mailbox's quarantined messages (``pending``: not reviewed yet)."""
    statement = (
        f"SELECT {_COLUMNS} FROM migration_quarantine WHERE mailbox_id = %s "  # noqa: S608 - constant
        f"AND (NOT %s OR decision IS NULL) {_ORDER}"
    )
    rows = await (await conn.execute(statement, [mailbox_id, pending, limit, offset])).fetchall()
    return list(rows)


async def quarantine_of_job(
    conn: AsyncConnection[Any], job_id: uuid.UUID, *, pending: bool, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A job's quarantined messages."""
    statement = (
        f"SELECT {_COLUMNS} FROM migration_quarantine WHERE job_id = %s "  # noqa: S608 - constant
        f"AND (NOT %s OR decision IS NULL) {_ORDER}"
    )
    rows = await (await conn.execute(statement, [job_id, pending, limit, offset])).fetchall()
    return list(rows)


async def quarantine_artifact(
    conn: AsyncConnection[Any], mailbox_id: uuid.UUID, run_id: uuid.UUID
) -> str | None:
    """The object name of a run's quarantine mbox, if the run quarantined anything."""
    statement = (
        "SELECT artifact FROM migration_quarantine WHERE mailbox_id = %s AND run_id = %s LIMIT 1"
    )
    row = await (await conn.execute(statement, [mailbox_id, run_id])).fetchone()
    return str(row["artifact"]) if row else None


async def import_runs(
    conn: AsyncConnection[Any], mailbox_id: uuid.UUID, limit: int
) -> list[dict[str, Any]]:
    """A mailbox's finished import runs, newest first (the ones that may leave files)."""
    statement = (
        "SELECT id AS run_id, run_type, finished_at FROM migration_runs WHERE mailbox_id = %s "
        "AND finished_at IS NOT NULL AND run_type IN ('pst_upload', 'pst_extract', 'tgz_import') "
        "ORDER BY finished_at DESC, id LIMIT %s"
    )
    rows = await (await conn.execute(statement, [mailbox_id, limit])).fetchall()
    return list(rows)
