"""``migration_requests``: who asked for which preflight, sync, verification or retry."""

from typing import Any

from mailferry_contracts import Envelope
from mailferry_contracts.jobs import RetryRequested, SyncRequested
from mailferry_projector.views import Cursor

_INSERT = """
INSERT INTO migration_requests (
    request_id, job_id, request_type, mode, mailbox_count, forced, requested_by,
    requested_role, requested_at, event_seq
) VALUES (
    %(id)s, %(job)s, %(type)s, %(mode)s, %(count)s, %(forced)s, %(by)s, %(role)s, %(at)s,
    %(seq)s
) ON CONFLICT (request_id) DO NOTHING
"""


async def on_requested(cur: Cursor, env: Envelope[Any], seq: int) -> None:
    event = env.payload
    await cur.execute(
        _INSERT,
        {
            "id": event.request_id,
            "job": env.aggregate_id,
            "type": event.type,
            "mode": _mode(event),
            "count": _count(event),
            "forced": isinstance(event, SyncRequested) and event.forced,
            "by": env.actor.user,
            "role": env.actor.role,
            "at": env.occurred_at,
            "seq": seq,
        },
    )


def _mode(event: Any) -> str | None:
    if isinstance(event, SyncRequested):
        return event.mode.value
    if isinstance(event, RetryRequested):
        return event.scope
    return None


def _count(event: Any) -> int | None:
    """Selected mailboxes; None means every mailbox of the job."""
    if isinstance(event, RetryRequested):
        return len(event.items)
    ids = event.mailbox_ids
    return None if ids is None else len(ids)
