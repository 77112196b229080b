"""Validated run requests -> job events, decided against the job's current view."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from mailferry_api.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from mailferry_api.jobstate import is_closed, require_open_job, unknown_mailboxes
from mailferry_api.operations.rules import may_force
from mailferry_api.operations.schemas import SyncIn
from mailferry_contracts import Actor, Envelope, new_envelope
from mailferry_contracts.common import Phase, Role
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import (
    PreflightRequested,
    RetryItem,
    RetryRequested,
    SyncRequested,
    VerifyRequested,
)
from mailferry_contracts.sync_modes import sync_allowed

RETRY_ITEMS_PER_EVENT = 5000
"""Keeps one RetryRequested well under the 1 MB message limit; a bigger retry is several
events with the same request id, appended atomically."""


@dataclass(frozen=True)
class Context:
    """Who asks, when, about which job, under which request id."""

    job_id: uuid.UUID
    request_id: uuid.UUID
    actor: Actor
    now: datetime

    def wrap(self, events: Sequence[Any]) -> list[Envelope[Any]]:
        """Envelopes correlated by the request id."""
        return [
            new_envelope(
                e, aggregate_id=str(self.job_id), actor=self.actor, now=self.now,
                correlation_id=self.request_id,
            )
            for e in events
        ]  # fmt: skip


def checked_selection(
    view: JobView, job_id: uuid.UUID, mailbox_ids: list[uuid.UUID] | None
) -> list[uuid.UUID] | None:
    """The selection without repeats; 404/409 for the job, 422 naming unknown mailboxes."""
    require_open_job(view, job_id)
    if mailbox_ids is None:
        return None
    selection = list(dict.fromkeys(mailbox_ids))
    if not selection:
        raise InvalidInputError("mailbox_ids is empty: omit it to select every mailbox")
    if unknown := unknown_mailboxes(view, selection):
        raise InvalidInputError(
            f"{len(unknown)} mailbox id(s) are not mailboxes of job {job_id}",
            code="unknown_mailboxes",
            details={"mailbox_ids": unknown[:1000]},
        )
    return selection


def preflight_requested(
    view: JobView, ctx: Context, mailbox_ids: list[uuid.UUID] | None
) -> list[Envelope[Any]]:
    """PreflightRequested for the selection."""
    selection = checked_selection(view, ctx.job_id, mailbox_ids)
    return ctx.wrap([PreflightRequested(request_id=ctx.request_id, mailbox_ids=selection)])


def verify_requested(
    view: JobView, ctx: Context, mailbox_ids: list[uuid.UUID] | None
) -> list[Envelope[Any]]:
    """VerifyRequested for the selection."""
    selection = checked_selection(view, ctx.job_id, mailbox_ids)
    return ctx.wrap([VerifyRequested(request_id=ctx.request_id, mailbox_ids=selection)])


def sync_requested(view: JobView, ctx: Context, body: SyncIn, role: Role) -> list[Envelope[Any]]:
    """SyncRequested; 409 when the phase refuses the mode, 403 when a non-super-admin forces."""
    if body.force and not may_force(role):
        raise ForbiddenError("only a super admin may force a sync", code="force_not_allowed")
    selection = checked_selection(view, ctx.job_id, body.mailbox_ids)
    phase = Phase.CLOSED if is_closed(view) else view.phase
    permission = sync_allowed(phase, body.mode, body.force)
    if not permission.allowed:
        raise ConflictError(permission.reason, code="sync_not_allowed")
    event = SyncRequested(
        request_id=ctx.request_id, mode=body.mode, mailbox_ids=selection, forced=body.force
    )
    return ctx.wrap([event])


def retry_requested(
    view: JobView, ctx: Context, items: list[RetryItem], *, scope: Literal["one", "all_failed"]
) -> list[Envelope[Any]]:
    """RetryRequested for the items that are mailboxes of the job."""
    require_open_job(view, ctx.job_id)
    known = [item for item in items if item.mailbox_id in view.mailboxes]
    if scope == "one" and not known:
        raise NotFoundError("the mailbox is not part of the job", code="mailbox_not_found")
    if not known:
        raise ConflictError("no failed mailbox to retry", code="nothing_to_retry")
    chunks = [
        known[i : i + RETRY_ITEMS_PER_EVENT] for i in range(0, len(known), RETRY_ITEMS_PER_EVENT)
    ]
    return ctx.wrap(
        [RetryRequested(request_id=ctx.request_id, scope=scope, items=chunk) for chunk in chunks]
    )
