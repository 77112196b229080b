"""SQL over the projector's ``audit_log`` read model."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql

from mailferry_api.sql_filters import conjunction, equal_to

COLUMNS = sql.SQL(
    "seq, event_id, occurred_at, event_type, aggregate_type, aggregate_id, job_id, actor_kind, "
    "actor_user, actor_role, actor_ip, actor_user_agent, summary"
)


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the audit trail; None means any."""

    job_id: uuid.UUID | None = None
    user: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _where(f: AuditFilter, before_seq: int | None = None) -> tuple[sql.Composable, list[Any]]:
    clauses, params = equal_to(
        [("job_id", f.job_id), ("actor_user", f.user), ("event_type", f.action)]
    )
    for text, value in (
        ("occurred_at >= %s", f.since),
        ("occurred_at < %s", f.until),
        ("seq < %s", before_seq),
    ):
        if value is not None:
            clauses.append(sql.SQL(text))
            params.append(value)
    return conjunction(clauses), params


async def audit_page(
    conn: AsyncConnection[Any], f: AuditFilter, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of audit rows, newest first, and how many match."""
    where, params = _where(f)
    query = sql.SQL(
        "SELECT {} FROM audit_log WHERE {} ORDER BY seq DESC LIMIT %s OFFSET %s"
    ).format(COLUMNS, where)
    count = sql.SQL("SELECT count(*) AS n FROM audit_log WHERE {}").format(where)
    rows = await (await conn.execute(query, [*params, limit, offset])).fetchall()
    total = await (await conn.execute(count, params)).fetchone()
    return list(rows), int(total["n"]) if total else 0


async def audit_chunk(
    conn: AsyncConnection[Any], f: AuditFilter, *, before_seq: int | None, size: int
) -> list[dict[str, Any]]:
    """The next ``size`` rows, newest first, below ``before_seq`` (keyset paging for export)."""
    where, params = _where(f, before_seq)
    query = sql.SQL("SELECT {} FROM audit_log WHERE {} ORDER BY seq DESC LIMIT %s").format(
        COLUMNS, where
    )
    return list(await (await conn.execute(query, [*params, size])).fetchall())
