"""All SQL over the ``migration_uploads`` read model."""

import uuid
from typing import Any

from psycopg import AsyncConnection

_COLUMNS = (
    "id AS upload_id, job_id, mailbox_id, kind, filename, size_bytes, sha256, duplicate_of, "
    "uploaded_by, uploaded_at"
)


async def get_upload(
    conn: AsyncConnection[Any], job_id: uuid.UUID, upload_id: uuid.UUID
) -> dict[str, Any] | None:
    """One upload of a job, or None (also while the projector has not seen it yet)."""
    statement = f"SELECT {_COLUMNS} FROM migration_uploads WHERE job_id = %s AND id = %s"  # noqa: S608 - constant
    row: dict[str, Any] | None = await (
        await conn.execute(statement, [job_id, upload_id])
    ).fetchone()
    return row


async def uploads_of_job(
    conn: AsyncConnection[Any], job_id: uuid.UUID, mailbox_id: uuid.UUID | None, limit: int
) -> list[dict[str, Any]]:
    """A job's uploads (optionally of one mailbox), newest first."""
    statement = (
        f"SELECT {_COLUMNS} FROM migration_uploads WHERE job_id = %s "  # noqa: S608 - constant
        "AND (%s::uuid IS NULL OR mailbox_id = %s) ORDER BY uploaded_at DESC, id LIMIT %s"
    )
    rows = await (await conn.execute(statement, [job_id, mailbox_id, mailbox_id, limit])).fetchall()
    return list(rows)
