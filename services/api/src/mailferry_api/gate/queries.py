"""SQL over the gate's read models: the job row, checks, evaluations, decisions, deliveries."""

import uuid
from typing import Any

from psycopg import AsyncConnection

DECISION_TYPES = {"GateApproved": "approval", "GateOverridden": "override"}
OPEN = "closed_at IS NULL AND phase <> 'closed'"

_JOB_COLUMNS = (
    "id, domain, tenant_id, ticket_id, phase, migration_gate, last_evaluation_id, approved_by, "
    "approved_at, dns_cutover_at, closed_at, sync_percent"
)


async def gate_job(conn: AsyncConnection[Any], job_id: uuid.UUID) -> dict[str, Any] | None:
    """The job row's gate fields, or None."""
    statement = f"SELECT {_JOB_COLUMNS} FROM migration_jobs WHERE id = %s"  # noqa: S608 - constant
    row: dict[str, Any] | None = await (await conn.execute(statement, [job_id])).fetchone()
    return row


async def open_jobs_of_domain(
    conn: AsyncConnection[Any], domain: str, limit: int = 20
) -> list[dict[str, Any]]:
    """The domain's jobs that are not closed, newest first."""
    statement = f"""
        SELECT {_JOB_COLUMNS} FROM migration_jobs WHERE domain = %s AND {OPEN}
        ORDER BY created_at DESC, id LIMIT %s
    """  # noqa: S608 - constant column list and clause
    return list(await (await conn.execute(statement, [domain, limit])).fetchall())


async def checks(conn: AsyncConnection[Any], job_id: uuid.UUID) -> list[dict[str, Any]]:
    """The latest result of every check of the job."""
    statement = """
        SELECT check_name AS name, status, message, mailboxes, evaluation_id, evaluated_at
        FROM migration_gate_checks WHERE job_id = %s
    """
    return list(await (await conn.execute(statement, [job_id])).fetchall())


async def evaluations(
    conn: AsyncConnection[Any], job_id: uuid.UUID, *, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The job's evaluations, newest first (without per-mailbox ratios), and how many."""
    statement = """
        SELECT evaluation_id, gate, previous_gate, reason, approval_invalidated, checks,
               evaluated_at, event_seq AS sequence
        FROM migration_gate_evaluations WHERE job_id = %s ORDER BY event_seq DESC LIMIT %s
    """
    rows = await (await conn.execute(statement, [job_id, limit])).fetchall()
    count = "SELECT count(*) AS n FROM migration_gate_evaluations WHERE job_id = %s"
    total = await (await conn.execute(count, [job_id])).fetchone()
    return list(rows), int(total["n"]) if total else 0


async def decisions(
    conn: AsyncConnection[Any], job_id: uuid.UUID, *, limit: int
) -> list[dict[str, Any]]:
    """Approvals and overrides of the job from the audit trail, newest first."""
    statement = """
        SELECT event_type, actor_user AS user, actor_role AS role, occurred_at AS at, summary,
               seq AS sequence
        FROM audit_log WHERE job_id = %s AND event_type = ANY(%s) ORDER BY seq DESC LIMIT %s
    """
    params = [job_id, list(DECISION_TYPES), limit]
    return list(await (await conn.execute(statement, params)).fetchall())


async def deliveries(
    conn: AsyncConnection[Any], job_id: uuid.UUID, *, limit: int
) -> list[dict[str, Any]]:
    """Webhook delivery attempts of the job, newest first."""
    statement = """
        SELECT notification_id, url, attempt, delivered, status_code, error, attempted_at,
               next_attempt_at
        FROM migration_webhook_deliveries WHERE job_id = %s
        ORDER BY attempted_at DESC, attempt DESC LIMIT %s
    """
    return list(await (await conn.execute(statement, [job_id, limit])).fetchall())
