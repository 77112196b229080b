"""Mailbox endpoints: import (JSON or CSV), list with paging/filter/sort, get one."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import Db, Events, RequestActor, Settings, Vault
from mailferry_api.errors import ErrorBody, InvalidInputError, NotFoundError
from mailferry_api.jobstate import load_job, require_open_job
from mailferry_api.mailboxes import queries
from mailferry_api.mailboxes.body import read_import_body
from mailferry_api.mailboxes.csv_parser import parse_csv
from mailferry_api.mailboxes.importer import DuplicateMailboxesError, ImportRequest, record_import
from mailferry_api.mailboxes.json_input import parse_json
from mailferry_api.mailboxes.presenters import error_details, mailbox_detail, mailbox_out, preview
from mailferry_api.mailboxes.rows import ParsedImport, RowError, validate_rows
from mailferry_api.mailboxes.schemas import (
    ImportedOut,
    ImportPreviewOut,
    MailboxDetailOut,
    MailboxPage,
    SortKey,
    SortOrder,
)
from mailferry_bus import utc_now
from mailferry_contracts.common import MailboxStatus, SourceType

router = APIRouter(tags=["mailboxes"])

_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/MailboxIn"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/MailboxIn"}},
                    ]
                }
            },
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}
_IMPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (404, "Unknown job"),
        (409, "Closed job, or the job kept changing"),
        (413, "Body over the limit"),
        (415, "Not JSON, CSV or multipart"),
        (422, "Invalid rows: details.errors lists them all; nothing was imported"),
    )
}


def _invalid(parsed: ParsedImport, errors: list[RowError]) -> InvalidInputError:
    return InvalidInputError(
        f"{len(errors)} problem(s) in the mailbox list; nothing was imported",
        code="invalid_mailboxes",
        details=error_details(parsed, errors),
    )


@router.post(
    "/jobs/{job_id}/mailboxes",
    status_code=201,
    response_model=ImportedOut | ImportPreviewOut,
    **requires(Permission.WRITE, openapi_extra=_IMPORT_BODY, responses=_IMPORT_ERRORS),
)
async def import_mailboxes(  # noqa: PLR0913 - FastAPI injects each collaborator
    job_id: uuid.UUID,
    *,
    request: Request,
    response: Response,
    events: Events,
    vault: Vault,
    settings: Settings,
    actor: RequestActor,
    dry_run: bool = False,
) -> ImportedOut | ImportPreviewOut:
    """Import mailboxes from JSON or CSV (MailboxesImported batches; passwords to the vault)."""
    view, head = await load_job(events, job_id)
    require_open_job(view, job_id)
    # A JSON list of 10,000 mailboxes is as legitimate as the CSV: one limit for both.
    limit = settings.max_csv_bytes
    body = await read_import_body(request, csv_limit=limit, json_limit=limit)
    parse = parse_csv if body.kind == "csv" else parse_json
    parsed = parse(body.data, max_rows=settings.max_import_rows)
    errors = parsed.errors + validate_rows(
        parsed.rows,
        existing=view.mailbox_by_email,
        target_password_required=parsed.target_password_required,
        unit="line" if parsed.origin == "csv" else "item",
    )
    if dry_run:
        response.status_code = 200
        return preview(parsed, errors)
    if errors:
        raise _invalid(parsed, errors)
    request_ = ImportRequest(job_id, parsed.rows, parsed.origin, actor, utc_now())
    try:
        outcome = await record_import(
            events, vault, request_, head, concurrency=settings.vault_concurrency
        )
    except DuplicateMailboxesError as exc:
        raise _invalid(parsed, exc.errors) from None
    return ImportedOut(
        job_id=job_id,
        import_id=outcome.import_id,
        count=len(outcome.mailbox_ids),
        mailbox_ids=outcome.mailbox_ids,
        sequences=outcome.sequences,
        warnings=parsed.warnings,
    )


@router.get("/jobs/{job_id}/mailboxes", response_model=MailboxPage, **requires(Permission.READ))
async def list_mailboxes(  # noqa: PLR0913 - one parameter per filter
    job_id: uuid.UUID,
    db: Db,
    *,
    status: MailboxStatus | None = None,
    error_class: Annotated[str | None, Query(max_length=64)] = None,
    source_type: SourceType | None = None,
    q: Annotated[str | None, Query(max_length=254, description="Email contains")] = None,
    sort: SortKey = "row",
    order: SortOrder = "asc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> MailboxPage:
    """A page of a job's mailboxes, filtered, searched and sorted (stable: id breaks ties)."""
    query = queries.MailboxQuery(
        job_id=job_id, status=status, error_class=error_class, source_type=source_type,
        q=q, sort=sort, order=order,
    )  # fmt: skip
    rows, total = await queries.list_mailboxes(db, query, limit=limit, offset=offset)
    if total == 0 and not await queries.job_exists(db, job_id):
        raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    return MailboxPage(
        items=[mailbox_out(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/mailboxes/{mailbox_id}", response_model=MailboxDetailOut, **requires(Permission.READ))
async def get_mailbox(mailbox_id: uuid.UUID, db: Db) -> MailboxDetailOut:
    """One mailbox with its latest preflight, verification and dead-letter record."""
    row = await queries.get_mailbox(db, mailbox_id)
    if row is None:
        raise NotFoundError(f"mailbox {mailbox_id} does not exist", code="mailbox_not_found")
    return mailbox_detail(row)
