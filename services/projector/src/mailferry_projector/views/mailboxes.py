"""``migration_mailboxes``: definition, status, counters, preflight and verification per mailbox.

Status rules live in ``mailbox_status`` (pure); the SQL only guards them against the run's
state, so that a late or redelivered event never moves a mailbox backwards. Run events update
the run-derived columns from ``views/runs.py``, in the same statement as the run.
"""

from typing import Any

from mailferry_contracts import Envelope
from mailferry_contracts.common import MailboxStatus
from mailferry_contracts.jobs import MailboxCredentialsUpdated, MailboxesImported
from mailferry_contracts.mailboxes import (
    MailboxDeadLettered,
    MailboxPreflighted,
    MailboxVerified,
    QuarantineRecorded,
    QuarantineReviewed,
)
from mailferry_projector import mailbox_status
from mailferry_projector.views import RUNNING, Cursor, jsonb

UNREVIEWED = (
    "EXISTS (SELECT 1 FROM migration_quarantine q WHERE q.mailbox_id = m.id AND q.decision IS NULL)"
)
_UNREVIEWED_COUNT = (
    "(SELECT count(*) FROM migration_quarantine q WHERE q.mailbox_id = m.id AND q.decision IS NULL)"
)
# The run owning the status is this one, or none still in progress: an older run's late
# outcome never overrides a newer run that is syncing. Shared with views/runs.py.
OWNS_STATUS = """(m.sync_run_id IS NULL OR m.sync_run_id = %(run)s OR NOT EXISTS (
    SELECT 1 FROM migration_runs o
    WHERE o.id = m.sync_run_id AND o.status IN ('queued', 'running')))"""
_RUN_IS = (
    "EXISTS (SELECT 1 FROM migration_runs r WHERE r.id = %(run)s AND r.status = ANY(%(states)s))"
)

_INSERT = """
INSERT INTO migration_mailboxes (
    id, job_id, row_number, source_type, source_email, source_user, target_email, target_user,
    folder_map, has_source_credentials, has_target_credentials, status, created_at, updated_at
) VALUES (
    %(id)s, %(job)s, %(row)s, %(source_type)s, %(source_email)s, %(source_user)s,
    %(target_email)s, %(target_user)s, %(folder_map)s, %(has_source)s, %(has_target)s,
    'pending', %(at)s, %(at)s
) ON CONFLICT (id) DO UPDATE SET
    row_number = EXCLUDED.row_number, source_type = EXCLUDED.source_type,
    source_email = EXCLUDED.source_email, source_user = EXCLUDED.source_user,
    target_email = EXCLUDED.target_email, target_user = EXCLUDED.target_user,
    folder_map = EXCLUDED.folder_map, has_source_credentials = EXCLUDED.has_source_credentials,
    has_target_credentials = EXCLUDED.has_target_credentials, updated_at = EXCLUDED.updated_at
WHERE migration_mailboxes.job_id = EXCLUDED.job_id
"""


async def on_imported(cur: Cursor, env: Envelope[MailboxesImported], seq: int) -> None:
    await cur.executemany(
        _INSERT,
        [
            {
                "id": spec.mailbox_id,
                "job": env.aggregate_id,
                "row": spec.row,
                "source_type": spec.source_type.value,
                "source_email": spec.source_email,
                "source_user": spec.source_user,
                "target_email": spec.target_email,
                "target_user": spec.target_user,
                "folder_map": jsonb(spec.folder_map),
                "has_source": spec.source_credential_ref is not None,
                "has_target": spec.target_credential_ref is not None,
                "at": env.occurred_at,
            }
            for spec in env.payload.mailboxes
        ],
    )


async def on_credentials_updated(
    cur: Cursor, env: Envelope[MailboxCredentialsUpdated], seq: int
) -> None:
    event = env.payload
    await cur.execute(
        """
        UPDATE migration_mailboxes SET has_source_credentials = has_source_credentials OR %s,
            has_target_credentials = has_target_credentials OR %s, updated_at = %s
        WHERE id = %s
        """,
        (
            event.source_credential_ref is not None,
            event.target_credential_ref is not None,
            env.occurred_at,
            event.mailbox_id,
        ),
    )


async def on_secrets_purged(cur: Cursor, env: Envelope[Any], seq: int) -> None:
    await cur.execute(
        """
        UPDATE migration_mailboxes SET has_source_credentials = false,
            has_target_credentials = false, updated_at = %s
        WHERE job_id = %s
        """,
        (env.occurred_at, env.aggregate_id),
    )


async def on_preflighted(cur: Cursor, env: Envelope[MailboxPreflighted], seq: int) -> None:
    event = env.payload
    preflight = event.model_dump(mode="json", exclude={"type", "schema_version", "job_id"})
    # A good preflight clears an old login error, but not the error of a failed sync.
    await cur.execute(
        """
        UPDATE migration_mailboxes SET preflight = %(preflight)s, updated_at = %(at)s,
            last_error_class = CASE WHEN NOT %(ok)s THEN %(class)s
                WHEN status = 'error' THEN last_error_class END,
            last_error_message = CASE WHEN NOT %(ok)s THEN %(message)s
                WHEN status = 'error' THEN last_error_message END
        WHERE id = %(mailbox)s
        """,
        {
            "preflight": jsonb(preflight | {"at": env.occurred_at.isoformat()}),
            "ok": event.ok,
            "class": event.error_class or "internal",
            "message": event.error_message,
            "at": env.occurred_at,
            "mailbox": env.aggregate_id,
        },
    )


async def on_verified(cur: Cursor, env: Envelope[MailboxVerified], seq: int) -> None:
    event = env.payload
    verification = event.model_dump(mode="json", exclude={"type", "schema_version", "job_id"})
    ratio = mailbox_status.verify_ratio(event.source_messages, event.destination_messages)
    await cur.execute(
        """
        UPDATE migration_mailboxes SET verification = %s, messages_source = %s,
            bytes_source = %s, messages_dest = %s, bytes_dest = %s, verify_ratio = %s,
            verified_at = %s, updated_at = %s
        WHERE id = %s
        """,
        (
            jsonb(verification),
            event.source_messages,
            event.source_bytes,
            event.destination_messages,
            event.destination_bytes,
            ratio,
            env.occurred_at,
            env.occurred_at,
            env.aggregate_id,
        ),
    )


_DEAD_LETTERED = f"""
UPDATE migration_mailboxes m SET dead_letter = %(dead_letter)s, updated_at = %(at)s,
    last_error_class = CASE WHEN {_RUN_IS} THEN COALESCE(
        (SELECT r.error_class FROM migration_runs r WHERE r.id = %(run)s), 'internal')
        ELSE m.last_error_class END,
    last_error_message = CASE WHEN {_RUN_IS} THEN %(reason)s
        ELSE m.last_error_message END,
    status = CASE WHEN {_RUN_IS} AND {OWNS_STATUS} AND (SELECT r.run_type
        FROM migration_runs r WHERE r.id = %(run)s) = ANY(%(blocking)s)
        THEN 'error' ELSE m.status END,
    last_run_status = CASE WHEN m.last_run_id = %(run)s AND {_RUN_IS} THEN 'failed'
        ELSE m.last_run_status END
WHERE m.id = %(mailbox)s
"""  # noqa: S608 - constant fragments; values are parameters


async def on_dead_lettered(cur: Cursor, env: Envelope[MailboxDeadLettered], seq: int) -> None:
    """Runs before the runs view marks the run failed: only a live run decides the status."""
    event = env.payload
    dead_letter = event.model_dump(mode="json", exclude={"type", "schema_version", "job_id"})
    blocking = sorted(t.value for t in mailbox_status.COPY_RUNS | mailbox_status.PREPARATION_RUNS)
    await cur.execute(
        _DEAD_LETTERED,
        {
            "dead_letter": jsonb(dead_letter | {"at": env.occurred_at.isoformat()}),
            "at": env.occurred_at,
            "run": event.run_id,
            "reason": event.reason,
            "states": list(RUNNING),
            "blocking": blocking,
            "mailbox": env.aggregate_id,
        },
    )


_QUARANTINE_RECORDED = f"""
UPDATE migration_mailboxes m SET quarantine_count = {_UNREVIEWED_COUNT},
    status = CASE WHEN m.status <> 'syncing' AND {UNREVIEWED} AND EXISTS (
        SELECT 1 FROM migration_runs r WHERE r.id = m.sync_run_id
        AND r.status IN ('success', 'partial')) THEN 'quarantine' ELSE m.status END,
    updated_at = %s
WHERE m.id = %s
"""  # noqa: S608 - constant fragments; values are parameters


async def on_quarantine_recorded(cur: Cursor, env: Envelope[QuarantineRecorded], seq: int) -> None:
    # Still syncing: the run's RunFinished will see the quarantine and settle the status.
    await cur.execute(
        _QUARANTINE_RECORDED,
        (env.occurred_at, env.aggregate_id),
    )


_QUARANTINE_REVIEWED = f"""
UPDATE migration_mailboxes m SET quarantine_count = {_UNREVIEWED_COUNT},
    status = CASE WHEN m.status = %s AND NOT {UNREVIEWED} THEN %s ELSE m.status END,
    updated_at = %s
WHERE m.id = %s
"""  # noqa: S608 - constant fragments; values are parameters


async def on_quarantine_reviewed(cur: Cursor, env: Envelope[QuarantineReviewed], seq: int) -> None:
    after = mailbox_status.status_after_review(env.payload.decision)
    await cur.execute(
        _QUARANTINE_REVIEWED,
        (MailboxStatus.QUARANTINE.value, after.value, env.occurred_at, env.aggregate_id),
    )
