"""The job report: JSON (all or some sections) or PDF."""

import asyncio
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission, allows
from mailferry_api.auth.principal import Principal
from mailferry_api.deps import BusDep, CurrentCaller, Db, Settings
from mailferry_api.errors import InvalidInputError, NotFoundError
from mailferry_api.jobs.queries import get_job
from mailferry_api.reports.build import ReportRequest, build_report
from mailferry_api.reports.pdf import render_pdf
from mailferry_api.reports.schemas import SECTIONS, ReportOut, Section

router = APIRouter(tags=["reports"])
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or `format=pdf`: application/pdf",
        "content": {"application/pdf": {}},
    },
    404: {"description": "Unknown job"},
}


def _sections(raw: str | None) -> tuple[Section, ...]:
    if not raw:
        return SECTIONS
    names = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise InvalidInputError(
            f"unknown report section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}",
            code="unknown_section",
        )
    return tuple(s for s in SECTIONS if s in names)


@router.get(
    "/jobs/{job_id}/report",
    response_model=ReportOut,
    **requires(Permission.READ, responses=_RESPONSES),
)
async def get_job_report(
    job_id: uuid.UUID,
    db: Db,
    bus: BusDep,
    caller: CurrentCaller,
    settings: Settings,
    format: Literal["json", "pdf"] = "json",
    sections: Annotated[
        str | None, Query(max_length=200, description="Comma separated; default all")
    ] = None,
) -> ReportOut | Response:
    """Summary, gate with its history and approvals, phases, verification, mailboxes, audit."""
    row = await get_job(db, job_id)
    if row is None:
        raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    audit = isinstance(caller, Principal) and allows(caller.role, Permission.READ_AUDIT)
    request = ReportRequest(job_row=row, sections=_sections(sections), with_audit=audit)
    report = await build_report(db, bus, request)
    if format == "json":
        return report
    pdf = await asyncio.to_thread(render_pdf, report, Path(settings.report_font_dir))
    name = f"mailferry-report-{report.job.domain}-{job_id.hex[:8]}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
