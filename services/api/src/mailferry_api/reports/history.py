"""A job's decisions and phase changes, read from the event log itself (structured, with actor).

Only a handful of event types, each read through its own subject: cheap even for a job whose
stream holds 10,000 imported mailboxes.
"""

import uuid

from nats.js.errors import NotFoundError

from mailferry_bus import Bus, StoredEvent
from mailferry_contracts import subjects
from mailferry_contracts.subjects import AGGREGATE_JOB

HISTORY_TYPES = (
    "JobCreated",
    "PhaseChanged",
    "GateApproved",
    "GateOverridden",
    "DnsCutoverApplied",
    "JobClosed",
)


async def _of_type(bus: Bus, job_id: uuid.UUID, type_name: str) -> list[StoredEvent]:
    subject = subjects.event_subject(AGGREGATE_JOB, str(job_id), type_name)
    try:
        last = await bus.js.get_last_msg(subjects.EVENTS_STREAM, subject)
    except NotFoundError:
        return []
    return await bus.events.read(subject, int(last.seq or 0))


async def job_history(bus: Bus, job_id: uuid.UUID) -> list[StoredEvent]:
    """The job's history events in log order."""
    found: list[StoredEvent] = []
    for type_name in HISTORY_TYPES:
        found.extend(await _of_type(bus, job_id, type_name))
    return sorted(found, key=lambda e: e.sequence)
