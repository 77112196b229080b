"""Every NATS subject, stream, consumer, bucket and object-store name. No f-strings elsewhere.

Scheme (DESIGN §6):

* ``migration.events.<aggregate>.<id>.<event_snake>`` - the event log (stream ``MIGRATION_EVENTS``).
  All events of one aggregate share the prefix ``migration.events.<aggregate>.<id>.``, so
  ``Nats-Expected-Last-Subject-Sequence`` with ``...-Subject: <prefix>*`` enforces optimistic
  concurrency per aggregate while consumers can still filter by event type.
* ``migration.commands.<runner_kind>.<job_id>`` - runner work queue (``MIGRATION_COMMANDS``); one
  subject per job so that runners can pick jobs fairly.
* ``migration.progress.<job_id>.<mailbox_id>`` - throttled RunProgress, last value per mailbox.
* ``migration.logs.<mailbox_id>.<run_id>`` - run log chunks, secrets redacted.
* ``migration.dlq.<runner_kind>`` - poison commands with the reason.
* ``migration.gate_ready`` - fixed subject the provisioning wizard subscribes to.
"""

import re

EVENTS_STREAM = "MIGRATION_EVENTS"
EVENTS_ROOT = "migration.events"
COMMANDS_STREAM = "MIGRATION_COMMANDS"
COMMANDS_ROOT = "migration.commands"
PROGRESS_STREAM = "MIGRATION_PROGRESS"
PROGRESS_ROOT = "migration.progress"
LOGS_STREAM = "MIGRATION_LOGS"
LOGS_ROOT = "migration.logs"
DLQ_STREAM = "MIGRATION_DLQ"
DLQ_ROOT = "migration.dlq"
NOTIFY_STREAM = "MIGRATION_NOTIFY"
GATE_READY = "migration.gate_ready"

CREDENTIALS_BUCKET = "migration_credentials"
"""KV bucket: credential ref -> AES-GCM blob. Kept apart from the event log; purgeable."""
SLOTS_BUCKET = "migration_slots"
"""KV bucket: concurrency leases shared by every runner process."""
SYNC_STATE_BUCKET = "migration_sync_state"
"""KV bucket: mailbox id -> the native engine's per-folder sync state (opaque bytes).

Runners share no disk; keeping the state here makes a no-op delta fast on any runner host."""
IDEMPOTENCY_BUCKET = "migration_idempotency"
"""KV bucket: Idempotency-Key -> stored HTTP response of the first POST."""
SESSIONS_BUCKET = "migration_sessions"
"""KV bucket: SHA-256 of a dashboard session token -> the session (user, expiry). TTL-bound."""
AUTH_THROTTLE_BUCKET = "migration_auth_throttle"
"""KV bucket: failed logins per account and per client address (lockout and backoff)."""
UPLOADS_OBJECTS = "migration_uploads"
"""Object store: uploaded PST/mbox/eml files, reachable by runners on any host."""
ARTIFACTS_OBJECTS = "migration_artifacts"
"""Object store: quarantine mboxes, extracted calendars/contacts, reports."""
QUARANTINE_ARTIFACT = "quarantine.mbox"
"""A run's quarantine: the messages the destination refused, with the reason per message."""
ITEMS_ARTIFACT = "items.zip"
"""A run's calendar, contact and journal items (IMAP cannot hold them), for download."""

AGGREGATE_JOB = "job"
AGGREGATE_MAILBOX = "mailbox"
AGGREGATE_RUN = "run"
AGGREGATE_USER = "user"

PROJECTOR_DURABLE = "projector"
GATE_DURABLE = "gate"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def _token(value: str) -> str:
    """A single subject token; ids are uuids or slugs, never contain dots or wildcards."""
    if not _TOKEN.match(value):
        raise ValueError(f"not a valid subject token: {value!r}")
    return value


def snake(type_name: str) -> str:
    """``RunFinished`` -> ``run_finished``."""
    return _CAMEL_BOUNDARY.sub("_", type_name).lower()


def event_subject(aggregate: str, aggregate_id: str, type_name: str) -> str:
    """Subject of one event of an aggregate."""
    return f"{EVENTS_ROOT}.{_token(aggregate)}.{_token(aggregate_id)}.{snake(type_name)}"


def aggregate_subjects(aggregate: str, aggregate_id: str) -> str:
    """Wildcard covering every event of one aggregate (used for OCC and for loading)."""
    return f"{EVENTS_ROOT}.{_token(aggregate)}.{_token(aggregate_id)}.*"


def aggregates_of_kind(aggregate: str) -> str:
    """Wildcard covering every event of every aggregate of one kind (e.g. all users)."""
    return f"{EVENTS_ROOT}.{_token(aggregate)}.>"


def events_of_type(aggregate: str, type_name: str) -> str:
    """Wildcard covering one event type across all aggregates of a kind."""
    return f"{EVENTS_ROOT}.{_token(aggregate)}.*.{snake(type_name)}"


def all_events() -> str:
    """Every event."""
    return f"{EVENTS_ROOT}.>"


def command_subject(runner_kind: str, job_id: str) -> str:
    """Work-queue subject for one runner kind and one job."""
    return f"{COMMANDS_ROOT}.{_token(runner_kind)}.{_token(job_id)}"


def commands_for(runner_kind: str) -> str:
    """Every command for one runner kind."""
    return f"{COMMANDS_ROOT}.{_token(runner_kind)}.*"


def progress_subject(job_id: str, mailbox_id: str) -> str:
    """Subject of RunProgress for one mailbox."""
    return f"{PROGRESS_ROOT}.{_token(job_id)}.{_token(mailbox_id)}"


def progress_of_job(job_id: str) -> str:
    """Every RunProgress of one job."""
    return f"{PROGRESS_ROOT}.{_token(job_id)}.*"


def all_progress() -> str:
    """Every RunProgress of every job (the dashboard's live streams)."""
    return f"{PROGRESS_ROOT}.>"


def log_subject(mailbox_id: str, run_id: str) -> str:
    """Subject of the log chunks of one run."""
    return f"{LOGS_ROOT}.{_token(mailbox_id)}.{_token(run_id)}"


def logs_of_mailbox(mailbox_id: str) -> str:
    """Every log chunk of one mailbox."""
    return f"{LOGS_ROOT}.{_token(mailbox_id)}.*"


def dlq_subject(runner_kind: str) -> str:
    """Dead-letter subject of one runner kind."""
    return f"{DLQ_ROOT}.{_token(runner_kind)}"


def runner_durable(runner_kind: str, job_id: str) -> str:
    """Durable work-queue consumer shared by all processes of a runner kind for one job."""
    return f"runner-{_token(runner_kind)}-{_token(job_id)}"


def upload_object(job_id: str, mailbox_id: str, upload_id: str) -> str:
    """Name of an uploaded file in ``UPLOADS_OBJECTS`` (never the client's file name)."""
    return f"uploads/{_token(job_id)}/{_token(mailbox_id)}/{_token(upload_id)}"


def artifact_object(mailbox_id: str, run_id: str, file_name: str) -> str:
    """Name of a file a run leaves in ``ARTIFACTS_OBJECTS`` (quarantine mbox, items zip)."""
    if not re.match(r"^[A-Za-z0-9_-]+\.[a-z0-9]+$", file_name):
        raise ValueError(f"not a valid artifact file name: {file_name!r}")
    return f"mailboxes/{_token(mailbox_id)}/runs/{_token(run_id)}/{file_name}"


def dispatcher_durable(runner_kind: str) -> str:
    """Durable consumer that turns job requests into commands for one runner kind."""
    return f"dispatch-{_token(runner_kind)}"
