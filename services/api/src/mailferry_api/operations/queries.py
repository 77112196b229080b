"""SQL over the read models for run requests (what failed) and verification results."""

import uuid
from typing import Any

from psycopg import AsyncConnection

from mailferry_contracts.common import MailboxStatus

_LAST_FAILED_RUN = """
    SELECT r.run_type FROM migration_runs r
    WHERE r.mailbox_id = m.id AND r.status IN ('failed', 'partial')
    ORDER BY r.queued_at DESC NULLS LAST, r.id DESC LIMIT 1
"""


async def mailbox_for_retry(
    conn: AsyncConnection[Any], mailbox_id: uuid.UUID
) -> dict[str, Any] | None:
    """The mailbox's job and the run type of its last failed run (null if none)."""
    statement = f"""
        SELECT m.job_id, m.status,
               COALESCE(({_LAST_FAILED_RUN}),
                        CASE WHEN m.last_run_status = 'failed' THEN m.last_run_type END)
                   AS failed_run_type
        FROM migration_mailboxes m WHERE m.id = %s
    """  # noqa: S608 - a constant subquery, no input
    row: dict[str, Any] | None = await (await conn.execute(statement, [mailbox_id])).fetchone()
    return row


async def failed_mailboxes(conn: AsyncConnection[Any], job_id: uuid.UUID) -> list[dict[str, Any]]:
    """Mailboxes of the job in status error, with the run type to repeat."""
    statement = f"""
        SELECT m.id AS mailbox_id,
               COALESCE(({_LAST_FAILED_RUN}), m.last_run_type) AS run_type
        FROM migration_mailboxes m
        WHERE m.job_id = %s AND m.status = %s
        ORDER BY m.row_number, m.id
    """  # noqa: S608 - a constant subquery, no input
    cursor = await conn.execute(statement, [job_id, MailboxStatus.ERROR.value])
    return list(await cursor.fetchall())


async def verification_page(
    conn: AsyncConnection[Any], job_id: uuid.UUID, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Latest verification of each mailbox, worst ratio first, never-verified last."""
    statement = """
        SELECT id AS mailbox_id, source_email, target_email, status, messages_source,
               messages_dest, bytes_source, bytes_dest, verify_ratio, verified_at, verification
        FROM migration_mailboxes WHERE job_id = %s
        ORDER BY verify_ratio ASC NULLS LAST, row_number, id LIMIT %s OFFSET %s
    """
    cursor = await conn.execute(statement, [job_id, limit, offset])
    return list(await cursor.fetchall())


async def verification_totals(conn: AsyncConnection[Any], job_id: uuid.UUID) -> dict[str, Any]:
    """Counts and message sums over the job's mailboxes (sums over verified ones)."""
    statement = """
        SELECT count(*) AS mailboxes,
               count(verified_at) AS verified,
               COALESCE(sum(messages_source) FILTER (WHERE verified_at IS NOT NULL), 0)
                   AS messages_source,
               COALESCE(sum(messages_dest) FILTER (WHERE verified_at IS NOT NULL), 0)
                   AS messages_dest
        FROM migration_mailboxes WHERE job_id = %s
    """
    row: dict[str, Any] | None = await (await conn.execute(statement, [job_id])).fetchone()
    assert row is not None  # noqa: S101 - an aggregate always returns one row
    return row
