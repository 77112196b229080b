"""The audit trail (ops leads, super admins, auditors): a page as JSON, or everything as CSV."""

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from mailferry_api.audit import queries
from mailferry_api.audit.csv_export import header_line, row_line
from mailferry_api.audit.schemas import AuditActor, AuditEntry, AuditPage
from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import Db, get_resources
from mailferry_api.errors import InvalidInputError
from mailferry_api.resources import Resources

router = APIRouter(tags=["audit"])
CSV_CHUNK = 1000
MAX_CSV_ROWS = 200_000


def audit_filter(
    job_id: uuid.UUID | None = None,
    user: Annotated[str | None, Query(max_length=254, description="Actor user")] = None,
    action: Annotated[
        str | None, Query(max_length=64, pattern=r"^[A-Za-z]+$", description="Event type")
    ] = None,
    since: Annotated[datetime | None, Query(alias="from", description="From (inclusive)")] = None,
    until: Annotated[datetime | None, Query(alias="to", description="To (exclusive)")] = None,
) -> queries.AuditFilter:
    """The filters shared by the JSON and CSV forms."""
    for name, value in (("from", since), ("to", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInputError(f"{name} needs a time zone, e.g. 2026-01-01T00:00:00Z")
    return queries.AuditFilter(job_id=job_id, user=user, action=action, since=since, until=until)


Filter = Annotated[queries.AuditFilter, Depends(audit_filter)]


def _entry(row: dict[str, Any]) -> AuditEntry:
    actor = AuditActor(
        kind=row["actor_kind"], user=row["actor_user"], role=row["actor_role"],
        ip=row["actor_ip"], user_agent=row["actor_user_agent"],
    )  # fmt: skip
    fields = {k: v for k, v in row.items() if k in AuditEntry.model_fields}
    return AuditEntry.model_validate({**fields, "actor": actor})


@router.get("/audit", response_model=AuditPage, **requires(Permission.READ_AUDIT))
async def list_audit_entries(
    db: Db,
    f: Filter,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AuditPage:
    """Who did what when: filter by job, user, action and time; newest first."""
    rows, total = await queries.audit_page(db, f, limit=limit, offset=offset)
    return AuditPage(items=[_entry(r) for r in rows], total=total, limit=limit, offset=offset)


async def _csv(resources: Resources, f: queries.AuditFilter) -> AsyncIterator[str]:
    async def rows() -> AsyncIterator[dict[str, Any]]:
        before, sent = None, 0
        while sent < MAX_CSV_ROWS:
            async with resources.pool.connection() as conn:
                chunk = await queries.audit_chunk(conn, f, before_seq=before, size=CSV_CHUNK)
            for row in chunk:
                yield row
            sent += len(chunk)
            if len(chunk) < CSV_CHUNK:
                return
            before = chunk[-1]["seq"]

    yield header_line()
    async for row in rows():
        yield row_line(row)


_CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The filtered audit trail"}
}


@router.get(
    "/audit.csv",
    response_class=StreamingResponse,
    **requires(Permission.READ_AUDIT, responses=_CSV_RESPONSE),
)
async def export_audit_csv(
    f: Filter, resources: Annotated[Resources, Depends(get_resources)]
) -> StreamingResponse:
    """The filtered audit trail as CSV (newest first), safe to open in a spreadsheet."""
    return StreamingResponse(
        _csv(resources, f),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
