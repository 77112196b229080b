"""``audit_log``: every event caused by a person or a service token, with a one-line summary."""

import uuid
from typing import Any

from mailferry_contracts import ActorKind, Envelope
from mailferry_projector.summaries import summarize
from mailferry_projector.views import Cursor

AUDITED = frozenset({ActorKind.USER, ActorKind.SERVICE})

_INSERT = """
INSERT INTO audit_log (
    seq, event_id, occurred_at, event_type, aggregate_type, aggregate_id, job_id,
    actor_kind, actor_user, actor_role, actor_ip, actor_user_agent, summary
) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT DO NOTHING
"""


async def record(cur: Cursor, env: Envelope[Any], seq: int, job_id: uuid.UUID | None) -> None:
    """Audit ``env`` when a person or a service caused it; mailferry's own facts are not."""
    actor = env.actor
    if actor.kind not in AUDITED:
        return
    await cur.execute(
        _INSERT,
        (
            seq,
            env.id,
            env.occurred_at,
            env.type,
            env.aggregate_type,
            env.aggregate_id,
            job_id,
            actor.kind.value,
            actor.user,
            actor.role,
            actor.ip,
            actor.user_agent,
            summarize(env.payload),
        ),
    )
