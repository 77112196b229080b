"""Webhook deliveries of gate_ready: which are due, the retry schedule, and their records.

Everything is derived from the log: a delivery is pending while the job's latest announcement
is still ready_for_dns, no attempt to that URL succeeded and attempts remain. So a restarted
gate resumes where the previous one stopped, at the ``next_attempt_at`` it recorded. A gate
that dropped back from ready_for_dns stops delivering its older "ready" (the wizard must not
switch DNS on a stale verdict).
"""

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mailferry_contracts import Envelope
from mailferry_contracts.common import GateState
from mailferry_contracts.gate import GateReady, WebhookDeliveryAttempted
from mailferry_gate.announcements import gate_ready, latest_announcement
from mailferry_gate.facts import Announcement
from mailferry_gate.identity import derived_id, gate_envelope
from mailferry_gate.state import JobState, State


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a webhook is retried."""

    max_attempts: int = 8
    base_delay_s: float = 2.0
    max_delay_s: float = 300.0


@dataclass(frozen=True)
class Delivery:
    """The next attempt to deliver one notification to one URL."""

    job_id: uuid.UUID
    notification_id: uuid.UUID
    url: str
    attempt: int
    due_at: datetime | None
    """None: as soon as possible."""


@dataclass(frozen=True)
class AttemptResult:
    """What one POST came to."""

    delivered: bool
    status_code: int | None = None
    error: str = ""


def backoff(policy: RetryPolicy, attempt: int, jitter: float) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based); ``jitter`` in [0, 1).

    Exponential and capped, half of it random ("equal jitter"): receivers coming back from an
    outage are not hit by every retry at the same instant, yet the wait never shrinks to zero.
    """
    ceiling = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** (attempt - 1))
    return ceiling / 2 + ceiling / 2 * jitter


def redact(url: str) -> str:
    """The URL as recorded and logged: no user info, query or fragment (they may hold tokens)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def pending_deliveries(
    state: State, urls: Sequence[str], policy: RetryPolicy
) -> Iterator[Delivery]:
    """Every delivery still owed, to the (redacted) ``urls``."""
    for job in state.jobs.values():
        announcement = latest_announcement(job)
        if announcement is None or not _still_ready(job):
            continue
        for url in urls:
            delivery = _next_attempt(job, announcement, url, policy)
            if delivery is not None:
                yield delivery


def payload_of(job: JobState, notification_id: uuid.UUID) -> GateReady | None:
    """The notification as announced: the same bytes on every attempt."""
    found = [a for a in job.announcements.values() if a.notification_id == notification_id]
    if not found or found[0].evaluation_id not in job.evaluations:
        return None
    announcement = found[0]
    record = job.evaluations[announcement.evaluation_id]
    return gate_ready(job, record, notification_id, job.phase_at(announcement.fact.seq))


def attempt_envelope(
    job: JobState,
    delivery: Delivery,
    result: AttemptResult,
    next_attempt_at: datetime | None,
    now: datetime,
) -> Envelope[Any]:
    """The WebhookDeliveryAttempted recording one attempt."""
    payload = WebhookDeliveryAttempted(
        notification_id=delivery.notification_id,
        url=delivery.url,
        attempt=delivery.attempt,
        delivered=result.delivered,
        status_code=result.status_code,
        error=result.error,
        next_attempt_at=next_attempt_at,
    )
    message_id = derived_id("webhook", delivery.notification_id, delivery.url, delivery.attempt)
    return gate_envelope(job, payload, message_id=message_id, causation_id=None, now=now)


def next_attempt_at(
    policy: RetryPolicy, delivery: Delivery, result: AttemptResult, now: datetime, jitter: float
) -> datetime | None:
    """When to try again after this attempt; None when delivered or out of attempts."""
    if result.delivered or delivery.attempt >= policy.max_attempts:
        return None
    return now + timedelta(seconds=backoff(policy, delivery.attempt, jitter))


def _still_ready(job: JobState) -> bool:
    latest = job.latest_evaluation
    return job.closed is None and latest is not None and latest.gate == GateState.READY_FOR_DNS


def _next_attempt(
    job: JobState, announcement: Announcement, url: str, policy: RetryPolicy
) -> Delivery | None:
    attempts = job.webhook_attempts.get((announcement.notification_id, url), [])
    if any(a.delivered for a in attempts):
        return None
    made = max((a.attempt for a in attempts), default=0)
    if made >= policy.max_attempts:
        return None
    due = attempts[-1].next_attempt_at if attempts else None
    if attempts and due is None:
        return None  # the attempt that was recorded last gave up
    return Delivery(job.job_id, announcement.notification_id, url, made + 1, due)
