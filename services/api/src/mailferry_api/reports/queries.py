"""SQL of the job report over the read models (mailboxes, gate, verification, audit)."""

import uuid
from typing import Any

from psycopg import AsyncConnection

_COUNTS = """
SELECT status, last_error_class, count(*) AS n,
       coalesce(sum(messages_source), 0) AS messages_source,
       coalesce(sum(messages_dest), 0) AS messages_dest,
       count(verified_at) AS verified
FROM migration_mailboxes WHERE job_id = %s GROUP BY status, last_error_class
"""
_MAILBOXES = """
SELECT id, row_number, source_email, target_email, source_type, status, last_error_class,
       last_error_message, messages_source, messages_dest, verify_ratio, sync_percent,
       last_run_type, last_run_status, verified_at, quarantine_count
FROM migration_mailboxes WHERE job_id = %s ORDER BY row_number, id LIMIT %s
"""
_DEFICITS = """
SELECT id, source_email, verification FROM migration_mailboxes
WHERE job_id = %s AND verification IS NOT NULL AND verify_ratio < 1
ORDER BY verify_ratio, row_number LIMIT %s
"""
_CHECKS = """
SELECT check_name, status, message, mailboxes, evaluation_id, evaluated_at
FROM migration_gate_checks WHERE job_id = %s ORDER BY check_name
"""
_EVALUATIONS = """
SELECT evaluation_id, gate, previous_gate, reason, approval_invalidated, evaluated_at, event_seq
FROM migration_gate_evaluations WHERE job_id = %s ORDER BY event_seq DESC LIMIT %s
"""
_AUDIT = """
SELECT seq, occurred_at, event_type, actor_kind, actor_user, actor_role, actor_ip, summary
FROM audit_log WHERE job_id = %s AND actor_kind <> 'system' ORDER BY seq DESC LIMIT %s
"""


async def _all(conn: AsyncConnection[Any], query: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(await (await conn.execute(query, params)).fetchall())


async def mailbox_counts(conn: AsyncConnection[Any], job_id: uuid.UUID) -> list[dict[str, Any]]:
    """Mailboxes, messages and verifications per (status, error class)."""
    return await _all(conn, _COUNTS, [job_id])


async def mailboxes(
    conn: AsyncConnection[Any], job_id: uuid.UUID, limit: int
) -> list[dict[str, Any]]:
    """The job's mailboxes in import order."""
    return await _all(conn, _MAILBOXES, [job_id, limit])


async def deficits(
    conn: AsyncConnection[Any], job_id: uuid.UUID, limit: int
) -> list[dict[str, Any]]:
    """Verified mailboxes holding less at the destination than at the source, worst first."""
    return await _all(conn, _DEFICITS, [job_id, limit])


async def gate_checks(conn: AsyncConnection[Any], job_id: uuid.UUID) -> list[dict[str, Any]]:
    """The latest result of each gate check."""
    return await _all(conn, _CHECKS, [job_id])


async def gate_evaluations(
    conn: AsyncConnection[Any], job_id: uuid.UUID, limit: int
) -> list[dict[str, Any]]:
    """The gate's evaluations, newest first."""
    return await _all(conn, _EVALUATIONS, [job_id, limit])


async def audit_excerpt(
    conn: AsyncConnection[Any], job_id: uuid.UUID, limit: int
) -> list[dict[str, Any]]:
    """What people and programs did on the job (not the system's own events), newest first."""
    return await _all(conn, _AUDIT, [job_id, limit])
