"""SQL over the ``migration_mailboxes`` read model.

The list is served by the indexes on (job_id, row_number, id), (job_id, status),
(job_id, source_email) and (job_id, last_error_class); the count is a separate statement so
that the page itself can stop early on an ordered index scan.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, sql

from mailferry_api.mailboxes.schemas import SortKey, SortOrder
from mailferry_api.sql_filters import conjunction, equal_to

LIST_COLUMNS = sql.SQL(
    "id, job_id, row_number, source_type, source_email, source_user, target_email, "
    "target_user, folder_map, has_source_credentials, has_target_credentials, status, "
    "last_error_class, last_error_message, messages_source, bytes_source, messages_dest, "
    "bytes_dest, verify_ratio, sync_percent, last_run_id, last_run_type, last_run_status, "
    "initial_synced_at, delta_synced_at, verified_at, quarantine_count, created_at, updated_at"
)
_SORT_COLUMN: dict[str, str] = {
    "row": "row_number",
    "email": "source_email",
    "status": "status",
    "sync_percent": "sync_percent",
    "updated_at": "updated_at",
}


@dataclass(frozen=True)
class MailboxQuery:
    """Filters, search and order of a mailbox list."""

    job_id: uuid.UUID
    status: str | None = None
    error_class: str | None = None
    source_type: str | None = None
    q: str | None = None
    sort: SortKey = "row"
    order: SortOrder = "asc"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(query: MailboxQuery) -> tuple[sql.Composable, list[Any]]:
    clauses, params = equal_to(
        [
            ("job_id", query.job_id),
            ("status", query.status),
            ("last_error_class", query.error_class),
            ("source_type", query.source_type),
        ]
    )
    if query.q:
        clauses.append(sql.SQL("source_email ILIKE %s"))
        params.append(_like(query.q))
    return conjunction(clauses), params


def list_statement(query: MailboxQuery) -> tuple[sql.Composed, list[Any]]:
    """The page statement without LIMIT/OFFSET values (tests EXPLAIN it)."""
    where, params = _where(query)
    direction = sql.SQL("DESC" if query.order == "desc" else "ASC")
    statement = sql.SQL(
        "SELECT {} FROM migration_mailboxes WHERE {} ORDER BY {} {}, id {} LIMIT %s OFFSET %s"
    ).format(LIST_COLUMNS, where, sql.Identifier(_SORT_COLUMN[query.sort]), direction, direction)
    return statement, params


async def list_mailboxes(
    conn: AsyncConnection[Any], query: MailboxQuery, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of mailboxes and how many match."""
    statement, params = list_statement(query)
    where, _ = _where(query)
    count = sql.SQL("SELECT count(*) AS n FROM migration_mailboxes WHERE {}").format(where)
    rows = await (await conn.execute(statement, [*params, limit, offset])).fetchall()
    total = await (await conn.execute(count, params)).fetchone()
    return list(rows), int(total["n"]) if total else 0


async def get_mailbox(conn: AsyncConnection[Any], mailbox_id: uuid.UUID) -> dict[str, Any] | None:
    """One mailbox with its JSON detail columns, or None."""
    statement = sql.SQL(
        "SELECT {}, preflight, verification, dead_letter FROM migration_mailboxes WHERE id = %s"
    ).format(LIST_COLUMNS)
    row: dict[str, Any] | None = await (await conn.execute(statement, [mailbox_id])).fetchone()
    return row


async def job_exists(conn: AsyncConnection[Any], job_id: uuid.UUID) -> bool:
    """Whether the read model knows the job."""
    cursor = await conn.execute("SELECT 1 AS one FROM migration_jobs WHERE id = %s", [job_id])
    return await cursor.fetchone() is not None
