"""Assembling the report's sections from the read models and the event log."""

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection

from mailferry_api.jobs.presenters import job_out
from mailferry_api.reports import presenters, queries
from mailferry_api.reports.history import job_history
from mailferry_api.reports.schemas import GateSection, ReportOut, Section, Summary
from mailferry_bus import Bus, utc_now

MAX_MAILBOXES = 50_000
MAX_DEFICIT_MAILBOXES = 500
MAX_EVALUATIONS = 200
MAX_AUDIT = 500


@dataclass(frozen=True)
class ReportRequest:
    """Which job, which sections, and whether the caller may see the audit trail."""

    job_row: dict[str, Any]
    sections: tuple[Section, ...]
    with_audit: bool


async def build_report(conn: AsyncConnection[Any], bus: Bus, request: ReportRequest) -> ReportOut:
    """The report of one job with the requested sections."""
    job = job_out(request.job_row)
    wanted: set[str] = set(request.sections)
    if not request.with_audit:
        wanted.discard("audit")
    report: dict[str, Any] = {}
    counts = presenters.summary(await queries.mailbox_counts(conn, job.id))
    if "summary" in wanted:
        report["summary"] = counts
    if "verification" in wanted:
        rows = await queries.deficits(conn, job.id, MAX_DEFICIT_MAILBOXES)
        report["verification"] = presenters.verification(counts, rows)
    if wanted & {"gate", "timeline"}:
        report.update(await _history(conn, bus, job.id, request, wanted))
    if "mailboxes" in wanted:
        report.update(await _mailboxes(conn, job.id, counts))
    if "audit" in wanted:
        rows = await queries.audit_excerpt(conn, job.id, MAX_AUDIT)
        report["audit"] = [presenters.audit_line(r) for r in rows]
    ordered = [s for s in request.sections if s in wanted]
    return ReportOut(generated_at=utc_now(), job=job, sections=ordered, **report)


async def _history(
    conn: AsyncConnection[Any], bus: Bus, job_id: uuid.UUID, request: ReportRequest,
    wanted: set[str],
) -> dict[str, Any]:  # fmt: skip
    history = await job_history(bus, job_id)
    out: dict[str, Any] = {}
    if "timeline" in wanted:
        out["timeline"] = presenters.timeline(history)
    if "gate" in wanted:
        row = request.job_row
        evaluations = await queries.gate_evaluations(conn, job_id, MAX_EVALUATIONS)
        out["gate"] = GateSection(
            state=row["migration_gate"],
            approved_by=row["approved_by"],
            approved_at=row["approved_at"],
            checks=[presenters.check(r) for r in await queries.gate_checks(conn, job_id)],
            evaluations=[presenters.evaluation(r) for r in evaluations],
            decisions=presenters.decisions(history),
        )
    return out


async def _mailboxes(
    conn: AsyncConnection[Any], job_id: uuid.UUID, counts: Summary
) -> dict[str, Any]:
    rows = await queries.mailboxes(conn, job_id, MAX_MAILBOXES)
    return {
        "mailboxes": [presenters.mailbox_line(r) for r in rows],
        "mailboxes_truncated": counts.mailboxes > len(rows),
    }
