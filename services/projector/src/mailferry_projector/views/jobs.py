"""``migration_jobs``: one row per job; totals are re-aggregated from its mailboxes per batch."""

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from mailferry_contracts import Envelope
from mailferry_contracts.common import GateState, Phase
from mailferry_contracts.gate import GateEvaluated
from mailferry_contracts.jobs import (
    DnsCutoverApplied,
    JobCreated,
    JobLimitsChanged,
    JobNotesUpdated,
    PhaseChanged,
)
from mailferry_projector.views import Cursor, jsonb

_INSERT = """
INSERT INTO migration_jobs (
    id, tenant_id, ticket_id, domain, phase, migration_gate,
    source_server_label, source_host, source_port, source_security,
    dest_imap_host, dest_imap_port, dest_security, engine, options,
    concurrency_limit, per_host_limit, notes, created_by, created_at, updated_at, last_event_seq
) VALUES (
    %(id)s, %(tenant_id)s, %(ticket_id)s, %(domain)s, %(phase)s, %(gate)s,
    %(source_label)s, %(source_host)s, %(source_port)s, %(source_security)s,
    %(dest_host)s, %(dest_port)s, %(dest_security)s, %(engine)s, %(options)s,
    %(concurrency_limit)s, %(per_host_limit)s, %(notes)s, %(by)s, %(at)s, %(at)s, %(seq)s
) ON CONFLICT (id) DO NOTHING
"""


async def on_created(cur: Cursor, env: Envelope[JobCreated], seq: int) -> None:
    event = env.payload
    source, dest = event.source, event.destination
    await cur.execute(
        _INSERT,
        {
            "id": event.job_id,
            "tenant_id": event.tenant_id,
            "ticket_id": event.ticket_id,
            "domain": event.domain,
            "phase": Phase.DISCOVERED.value,
            "gate": GateState.BLOCKED.value,
            "source_label": (source.label or source.host) if source else None,
            "source_host": source.host if source else None,
            "source_port": source.port if source else None,
            "source_security": source.security if source else None,
            "dest_host": dest.host,
            "dest_port": dest.port,
            "dest_security": dest.security,
            "engine": event.engine.value,
            "options": jsonb(event.options.model_dump(mode="json")),
            "concurrency_limit": event.concurrency_limit,
            "per_host_limit": event.per_host_limit,
            "notes": event.notes,
            "by": env.actor.user,
            "at": env.occurred_at,
            "seq": seq,
        },
    )


async def on_notes_updated(cur: Cursor, env: Envelope[JobNotesUpdated], seq: int) -> None:
    await cur.execute(
        "UPDATE migration_jobs SET notes = %s WHERE id = %s",
        (env.payload.notes, env.aggregate_id),
    )


async def on_limits_changed(cur: Cursor, env: Envelope[JobLimitsChanged], seq: int) -> None:
    event = env.payload
    await cur.execute(
        "UPDATE migration_jobs SET concurrency_limit = %s, per_host_limit = %s WHERE id = %s",
        (event.concurrency_limit, event.per_host_limit, env.aggregate_id),
    )


async def on_phase_changed(cur: Cursor, env: Envelope[PhaseChanged], seq: int) -> None:
    event = env.payload
    # The phase a failed job returns to on retry; meaningless once it left "failed".
    before_failure = event.from_phase.value if event.to_phase == Phase.FAILED else None
    await cur.execute(
        "UPDATE migration_jobs SET phase = %s, phase_before_failure = %s WHERE id = %s",
        (event.to_phase.value, before_failure, env.aggregate_id),
    )


async def on_gate_evaluated(cur: Cursor, env: Envelope[GateEvaluated], seq: int) -> None:
    event = env.payload
    # An invalidated approval no longer stands: the job must not look approved.
    await cur.execute(
        """
        UPDATE migration_jobs SET migration_gate = %(gate)s, last_evaluation_id = %(evaluation)s,
            approved_by = CASE WHEN %(invalidated)s THEN NULL ELSE approved_by END,
            approved_at = CASE WHEN %(invalidated)s THEN NULL ELSE approved_at END
        WHERE id = %(id)s
        """,
        {
            "gate": event.gate.value,
            "evaluation": event.evaluation_id,
            "invalidated": event.approval_invalidated,
            "id": env.aggregate_id,
        },
    )


async def on_gate_approved(cur: Cursor, env: Envelope[Any], seq: int) -> None:
    await _approved(cur, env, gate=None)


async def on_gate_overridden(cur: Cursor, env: Envelope[Any], seq: int) -> None:
    await _approved(cur, env, gate=GateState.READY_FOR_DNS)


async def _approved(cur: Cursor, env: Envelope[Any], gate: GateState | None) -> None:
    await cur.execute(
        """
        UPDATE migration_jobs SET approved_by = %s, approved_at = %s,
            migration_gate = COALESCE(%s, migration_gate)
        WHERE id = %s
        """,
        (env.actor.user, env.occurred_at, gate.value if gate else None, env.aggregate_id),
    )


async def on_dns_cutover_applied(cur: Cursor, env: Envelope[DnsCutoverApplied], seq: int) -> None:
    await cur.execute(
        "UPDATE migration_jobs SET dns_cutover_at = %s WHERE id = %s",
        (env.payload.applied_at, env.aggregate_id),
    )


async def on_closed(cur: Cursor, env: Envelope[Any], seq: int) -> None:
    await cur.execute(
        "UPDATE migration_jobs SET closed_at = %s WHERE id = %s",
        (env.occurred_at, env.aggregate_id),
    )


async def touch(cur: Cursor, latest: Mapping[uuid.UUID, tuple[int, datetime]]) -> None:
    """Stamp each job with the sequence and time of the latest event about it."""
    if not latest:
        return
    await cur.executemany(
        """
        UPDATE migration_jobs SET last_event_seq = %(seq)s, updated_at = %(at)s
        WHERE id = %(id)s AND last_event_seq < %(seq)s
        """,
        [{"id": job, "seq": seq, "at": at} for job, (seq, at) in latest.items()],
    )


async def refresh_totals(cur: Cursor, jobs: Collection[uuid.UUID]) -> None:
    """Re-aggregate mailbox count, message sums and sync percentage from the mailboxes."""
    if not jobs:
        return
    await cur.execute(
        """
        UPDATE migration_jobs j SET mailbox_count = t.mailboxes,
            messages_source = t.source, messages_dest = t.dest, sync_percent = t.percent
        FROM (
            SELECT job_id, count(*) AS mailboxes,
                COALESCE(sum(messages_source), 0) AS source,
                COALESCE(sum(messages_dest), 0) AS dest,
                round(avg(sync_percent), 2) AS percent
            FROM migration_mailboxes WHERE job_id = ANY(%s) GROUP BY job_id
        ) t
        WHERE j.id = t.job_id
        """,
        (sorted(jobs),),
    )
