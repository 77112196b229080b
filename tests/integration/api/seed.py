"""Read-model rows written with SQL, as the projector would have written them."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

T0 = datetime(2026, 1, 1, tzinfo=UTC)

_JOB = """
INSERT INTO migration_jobs (id, domain, phase, migration_gate, source_host, source_port,
    source_security, dest_imap_host, dest_imap_port, dest_security, engine, options,
    concurrency_limit, per_host_limit, created_by, created_at, updated_at, last_event_seq)
VALUES (%s, %s, %s, %s, 'imap.old.example', 993, 'ssl', 'mail.new.example', 993, 'ssl', 'auto',
    '{}', 4, 2, 'tech', %s, %s, 1)
"""

_MAILBOXES = """
INSERT INTO migration_mailboxes (id, job_id, row_number, source_type, source_email, source_user,
    target_email, target_user, status, last_error_class, sync_percent, verify_ratio,
    messages_source, messages_dest, verified_at, last_run_type, last_run_status,
    created_at, updated_at)
SELECT gen_random_uuid(), %(job)s, n,
    CASE WHEN n %% 10 = 0 THEN 'pst' ELSE 'imap' END,
    format('user%%s@example.com', lpad(n::text, 5, '0')), format('user%%s', n),
    format('user%%s@new.example', n), format('user%%s', n),
    (ARRAY['pending','syncing','ok','error','quarantine'])[1 + n %% 5],
    CASE WHEN n %% 5 = 3 THEN 'auth_failed_source' END,
    (n * 7) %% 101,
    CASE WHEN n %% 2 = 0 THEN 0.9 + (n %% 10) / 100.0 END,
    CASE WHEN n %% 2 = 0 THEN 100 END,
    CASE WHEN n %% 2 = 0 THEN 90 + n %% 10 END,
    CASE WHEN n %% 2 = 0 THEN %(t0)s::timestamptz END,
    CASE WHEN n %% 5 = 3 THEN 'initial' END,
    CASE WHEN n %% 5 = 3 THEN 'failed' END,
    %(t0)s::timestamptz, %(t0)s::timestamptz + make_interval(secs => (n * 37) %% 1000)
FROM generate_series(1, %(count)s) AS n
"""


def seed_job(dsn: str, job_id: uuid.UUID, *, domain: str = "example.com", phase: str = "discovered",
             gate: str = "blocked", age_minutes: int = 0) -> None:  # fmt: skip
    created = T0 + timedelta(minutes=age_minutes)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(_JOB, [job_id, domain, phase, gate, created, created])


def seed_mailboxes(dsn: str, job_id: uuid.UUID, count: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(_MAILBOXES, {"job": job_id, "count": count, "t0": T0})
        conn.execute("ANALYZE migration_mailboxes")


def seed_mailbox(dsn: str, job_id: uuid.UUID, mailbox_id: uuid.UUID, **values: Any) -> None:
    row = {
        "source_email": f"{mailbox_id.hex[:8]}@example.com",
        "status": "pending",
        "last_run_type": None,
        "last_run_status": None,
        **values,
    }
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO migration_mailboxes (id, job_id, row_number, source_type, source_email, "
            "source_user, target_email, target_user, status, last_run_type, last_run_status, "
            "created_at, updated_at) VALUES (%s, %s, 1, 'imap', %s, 'u', %s, 'u', %s, %s, %s, "
            "%s, %s)",
            [mailbox_id, job_id, row["source_email"], row["source_email"], row["status"],
             row["last_run_type"], row["last_run_status"], T0, T0],
        )  # fmt: skip


def seed_run(dsn: str, run_id: uuid.UUID, job_id: uuid.UUID, mailbox_id: uuid.UUID, *,
             run_type: str, status: str, minutes: int) -> None:  # fmt: skip
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO migration_runs (id, job_id, mailbox_id, run_type, status, attempt, "
            "stats, queued_at) VALUES (%s, %s, %s, %s, %s, 1, '{\"transferred\": 3}', %s)",
            [run_id, job_id, mailbox_id, run_type, status, T0 + timedelta(minutes=minutes)],
        )


def set_tracking(dsn: str, last_seq: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO projection_tracking (name, stream, last_seq) VALUES "
            "('read_models', 'MIGRATION_EVENTS', %s) ON CONFLICT (name) DO UPDATE "
            "SET last_seq = excluded.last_seq",
            [last_seq],
        )
