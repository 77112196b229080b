"""Validated job requests -> job events (enveloped with the acting user)."""

import uuid
from datetime import datetime
from typing import Any

from mailferry_api.jobs.schemas import JobCreate, JobPatch, ServerIn
from mailferry_api.jobstate import require_open_job
from mailferry_contracts import Actor, Envelope, new_envelope
from mailferry_contracts.common import EngineOptions, ServerSettings
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import JobCreated, JobLimitsChanged, JobNotesUpdated


def _server(server: ServerIn) -> ServerSettings:
    return ServerSettings(**server.model_dump())


def job_created(
    body: JobCreate, *, job_id: uuid.UUID, actor: Actor, now: datetime
) -> Envelope[JobCreated]:
    """The JobCreated event of a new job."""
    event = JobCreated(
        job_id=job_id,
        domain=body.domain,
        tenant_id=body.tenant_id,
        ticket_id=body.ticket_id,
        source=_server(body.source) if body.source else None,
        destination=_server(body.destination),
        engine=body.engine,
        options=EngineOptions(**body.options.model_dump()),
        concurrency_limit=body.concurrency_limit,
        per_host_limit=body.per_host_limit,
        notes=body.notes,
    )
    return new_envelope(event, aggregate_id=str(job_id), actor=actor, now=now)


def job_changes(
    view: JobView, patch: JobPatch, *, job_id: uuid.UUID, actor: Actor, now: datetime
) -> list[Envelope[Any]]:
    """JobNotesUpdated and/or JobLimitsChanged for what actually changes (404/409 first)."""
    require_open_job(view, job_id)
    events: list[Any] = []
    if patch.notes is not None and patch.notes != view.notes:
        events.append(JobNotesUpdated(notes=patch.notes))
    limits = (
        patch.concurrency_limit or view.concurrency_limit,
        patch.per_host_limit or view.per_host_limit,
    )
    if limits != (view.concurrency_limit, view.per_host_limit):
        events.append(JobLimitsChanged(concurrency_limit=limits[0], per_host_limit=limits[1]))
    correlation = uuid.uuid4()
    return [
        new_envelope(e, aggregate_id=str(job_id), actor=actor, now=now, correlation_id=correlation)
        for e in events
    ]
