"""Which mailboxes, and which run type each, a job request selects for one runner kind (pure)."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mailferry_contracts.common import RunnerKind, RunType
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import (
    MailboxSpec,
    PreflightRequested,
    RetryRequested,
    SyncRequested,
    VerifyRequested,
)
from mailferry_contracts.routing import runner_kind_for

REQUEST_TYPES: tuple[type[Any], ...] = (
    PreflightRequested,
    SyncRequested,
    VerifyRequested,
    RetryRequested,
)
"""Job events every dispatcher turns into runner commands."""


@dataclass(frozen=True)
class Selected:
    """One mailbox to run, with what to run."""

    spec: MailboxSpec
    run_type: RunType


def requested_runs(request: Any) -> list[tuple[uuid.UUID | None, RunType]]:
    """``(mailbox_id or None for every mailbox, run type)`` pairs named by a request."""
    if isinstance(request, RetryRequested):
        return [(item.mailbox_id, item.run_type) for item in request.items]
    run_type = _run_type_of(request)
    if request.mailbox_ids is None:
        return [(None, run_type)]
    return [(mailbox_id, run_type) for mailbox_id in request.mailbox_ids]


def _run_type_of(request: Any) -> RunType:
    if isinstance(request, PreflightRequested):
        return RunType.PREFLIGHT
    if isinstance(request, SyncRequested):
        return RunType(request.mode.value)
    if isinstance(request, VerifyRequested):
        return RunType.VERIFY
    raise TypeError(f"{type(request).__name__} is not a job request")


def select(view: JobView, request: Any, kind: RunnerKind) -> list[Selected]:
    """The mailboxes of ``kind`` a request selects, in job order, each (mailbox, type) once.

    Ids the job does not know are skipped: the API validates selections, so an unknown id
    here means a mailbox of another job and must not be run.
    """
    chosen: dict[tuple[uuid.UUID, RunType], Selected] = {}
    for mailbox_id, run_type in requested_runs(request):
        for spec in _mailboxes(view, mailbox_id):
            if runner_kind_for(spec.source_type) == kind:
                chosen.setdefault((spec.mailbox_id, run_type), Selected(spec, run_type))
    return list(chosen.values())


def _mailboxes(view: JobView, mailbox_id: uuid.UUID | None) -> Iterable[MailboxSpec]:
    if mailbox_id is None:
        return view.mailboxes.values()
    spec = view.mailboxes.get(mailbox_id)
    return [] if spec is None else [spec]
