"""Streams, buckets and object stores: created when missing, updated and verified when present.

The check after creation matters: an old server accepts unknown JSON fields without complaint,
so only reading the config back proves that deny-delete, TTLs or atomic batches are in force.
"""

import logging
from dataclasses import dataclass
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    KeyValueConfig,
    ObjectStoreConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, BucketNotFoundError, NotFoundError

from mailferry_bus.errors import TopologyMismatchError
from mailferry_bus.settings import BusSettings
from mailferry_contracts import subjects

log = logging.getLogger(__name__)

DAY = 86400.0
HOUR = 3600.0
_STREAM_ALREADY_IN_USE = 10058
_CHECKED_FIELDS = (
    "subjects",
    "retention",
    "deny_delete",
    "deny_purge",
    "allow_msg_ttl",
    "allow_atomic",
    "max_msgs_per_subject",
)


def stream_configs(settings: BusSettings) -> list[StreamConfig]:
    """Every stream mailferry needs, configured from settings."""
    replicas = settings.stream_replicas
    return [
        StreamConfig(
            name=subjects.EVENTS_STREAM,
            description="The event log: the source of truth. Immutable.",
            subjects=[subjects.all_events()],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            duplicate_window=settings.events_duplicate_window_s,
            deny_delete=True,
            deny_purge=True,
            allow_atomic=True,
            allow_direct=True,
            num_replicas=replicas,
        ),
        StreamConfig(
            name=subjects.COMMANDS_STREAM,
            description="Runner work queue, one subject per runner kind and job.",
            subjects=[f"{subjects.COMMANDS_ROOT}.>"],
            retention=RetentionPolicy.WORK_QUEUE,
            storage=StorageType.FILE,
            duplicate_window=settings.commands_duplicate_window_s,
            num_replicas=replicas,
        ),
        StreamConfig(
            name=subjects.PROGRESS_STREAM,
            description="Throttled RunProgress; the last value per mailbox.",
            subjects=[f"{subjects.PROGRESS_ROOT}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_msgs_per_subject=1,
            max_age=settings.progress_max_age_s,
            discard=DiscardPolicy.OLD,
            allow_msg_ttl=True,
            allow_direct=True,
            num_replicas=replicas,
        ),
        StreamConfig(
            name=subjects.LOGS_STREAM,
            description="Run logs in chunks, secrets redacted.",
            subjects=[f"{subjects.LOGS_ROOT}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=settings.logs_max_age_days * DAY,
            max_bytes=settings.logs_max_bytes,
            discard=DiscardPolicy.OLD,
            allow_direct=True,
            num_replicas=replicas,
        ),
        StreamConfig(
            name=subjects.DLQ_STREAM,
            description="Poison commands with the reason they were given up.",
            subjects=[f"{subjects.DLQ_ROOT}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=30 * DAY,
            num_replicas=replicas,
        ),
        StreamConfig(
            name=subjects.NOTIFY_STREAM,
            description="Notifications for the provisioning wizard (migration.gate_ready).",
            subjects=[subjects.GATE_READY],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=30 * DAY,
            duplicate_window=settings.events_duplicate_window_s,
            num_replicas=replicas,
        ),
    ]


@dataclass(frozen=True)
class BucketSpec:
    """A key-value bucket."""

    name: str
    description: str
    ttl: float | None = None


BUCKETS = (
    BucketSpec(subjects.CREDENTIALS_BUCKET, "Encrypted credentials; never in the event log"),
    BucketSpec(subjects.SLOTS_BUCKET, "Concurrency leases shared by all runner processes"),
    BucketSpec(subjects.SYNC_STATE_BUCKET, "Native engine sync state per mailbox (opaque)"),
    BucketSpec(subjects.IDEMPOTENCY_BUCKET, "Idempotency-Key -> first response", ttl=DAY),
    # A session never outlives a day; the bucket's TTL enforces it even if a process forgets.
    BucketSpec(subjects.SESSIONS_BUCKET, "Dashboard sessions by token hash", ttl=DAY),
    BucketSpec(subjects.AUTH_THROTTLE_BUCKET, "Failed logins per account and address", ttl=HOUR),
)
OBJECT_STORES = (
    (subjects.UPLOADS_OBJECTS, "Uploaded PST/mbox/eml files"),
    (subjects.ARTIFACTS_OBJECTS, "Quarantine mboxes, extracted calendars/contacts, reports"),
)


async def ensure_topology(js: JetStreamContext, settings: BusSettings) -> None:
    """Create or update every stream, bucket and object store, then verify them."""
    for config in stream_configs(settings):
        await _ensure_stream(js, config)
    for bucket in BUCKETS:
        await _ensure_bucket(js, bucket, settings.stream_replicas)
    for name, description in OBJECT_STORES:
        await _ensure_object_store(js, name, description, settings.stream_replicas)


async def _ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    try:
        await js.add_stream(config)
    except BadRequestError as exc:
        if exc.err_code != _STREAM_ALREADY_IN_USE:
            raise
        log.info("stream %s exists with another config; updating it", config.name)
        await js.update_stream(config)
    assert config.name is not None  # noqa: S101 - every config above has a name
    info = await js.stream_info(config.name)
    _verify(config, info.config)


def _verify(wanted: StreamConfig, actual: StreamConfig) -> None:
    for name in _CHECKED_FIELDS:
        want: Any = getattr(wanted, name)
        have: Any = getattr(actual, name)
        if want is None or (want is False and have is None):
            continue
        if want != have:
            raise TopologyMismatchError(
                f"stream {wanted.name}: {name} is {have!r} on the server, mailferry needs "
                f"{want!r}; the server ignored or refused the setting"
            )


async def _ensure_bucket(js: JetStreamContext, spec: BucketSpec, replicas: int) -> None:
    try:
        await js.key_value(spec.name)
    except (BucketNotFoundError, NotFoundError):
        await js.create_key_value(
            KeyValueConfig(
                bucket=spec.name,
                description=spec.description,
                history=1,
                ttl=spec.ttl,
                storage=StorageType.FILE,
                replicas=replicas,
            )
        )


async def _ensure_object_store(
    js: JetStreamContext, name: str, description: str, replicas: int
) -> None:
    try:
        await js.object_store(name)
    except (BucketNotFoundError, NotFoundError):
        # nats-py overwrites config.bucket with the positional argument, so pass both.
        await js.create_object_store(
            name,
            config=ObjectStoreConfig(
                bucket=name, description=description, storage=StorageType.FILE, replicas=replicas
            ),
        )
