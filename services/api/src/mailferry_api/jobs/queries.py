"""SQL over the ``migration_jobs`` read model."""

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, sql

from mailferry_api.sql_filters import conjunction, equal_to


@dataclass(frozen=True)
class JobFilter:
    """Filters of the job list; None means any."""

    phase: str | None = None
    gate: str | None = None
    domain: str | None = None


_COLUMNS = sql.SQL(
    "id, tenant_id, ticket_id, domain, phase, phase_before_failure, migration_gate, "
    "source_server_label, source_host, source_port, source_security, dest_imap_host, "
    "dest_imap_port, dest_security, engine, options, concurrency_limit, per_host_limit, notes, "
    "mailbox_count, sync_percent, messages_source, messages_dest, last_evaluation_id, "
    "approved_by, approved_at, dns_cutover_at, closed_at, created_by, created_at, updated_at, "
    "last_event_seq"
)


def _where(filters: JobFilter) -> tuple[sql.Composable, list[Any]]:
    clauses, params = equal_to(
        [("phase", filters.phase), ("migration_gate", filters.gate), ("domain", filters.domain)]
    )
    return conjunction(clauses), params


async def list_jobs(
    conn: AsyncConnection[Any], filters: JobFilter, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of jobs, newest first, and how many match."""
    where, params = _where(filters)
    query = sql.SQL(
        "SELECT {} FROM migration_jobs WHERE {} ORDER BY created_at DESC, id LIMIT %s OFFSET %s"
    ).format(_COLUMNS, where)
    count = sql.SQL("SELECT count(*) AS n FROM migration_jobs WHERE {}").format(where)
    rows = await (await conn.execute(query, [*params, limit, offset])).fetchall()
    total = await (await conn.execute(count, params)).fetchone()
    return list(rows), int(total["n"]) if total else 0


async def get_job(conn: AsyncConnection[Any], job_id: uuid.UUID) -> dict[str, Any] | None:
    """One job row, or None."""
    query = sql.SQL("SELECT {} FROM migration_jobs WHERE id = %s").format(_COLUMNS)
    row: dict[str, Any] | None = await (await conn.execute(query, [job_id])).fetchone()
    return row
