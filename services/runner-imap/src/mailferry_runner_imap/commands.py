"""Build runner-imap's commands from a job request (pure): the dispatcher's ``CommandBuilder``."""

import uuid

from mailferry_bus.runners import Selected
from mailferry_contracts.common import RunType, SyncMode
from mailferry_contracts.job_view import JobView
from mailferry_contracts.runs import ImapWork, MailboxWork, StartPreflight, StartSync, StartVerify


def build_command(
    view: JobView, selected: Selected, run_id: uuid.UUID, request_id: uuid.UUID
) -> ImapWork | None:
    """The self-contained command for one mailbox, or ``None`` if it is not IMAP work."""
    job = view.created
    if job is None or job.source is None:
        return None  # an upload-only job has no IMAP source to sync from
    spec = selected.spec
    common = {
        "run_id": run_id,
        "job_id": job.job_id,
        "mailbox_id": spec.mailbox_id,
        "request_id": request_id,
        "run_type": selected.run_type,
        "destination": job.destination,
        "target_user": spec.target_user,
        "target_credential_ref": spec.target_credential_ref,
        "folder_map": {**job.options.folder_map, **spec.folder_map},
        "options": job.options,
        "concurrency_limit": view.concurrency_limit,
        "per_host_limit": view.per_host_limit,
        "source": job.source,
        "source_user": spec.source_user,
        "source_credential_ref": spec.source_credential_ref,
        "engine": job.engine,
    }
    if selected.run_type == RunType.PREFLIGHT:
        return StartPreflight.model_validate(common)
    if selected.run_type == RunType.VERIFY:
        return StartVerify.model_validate(common)
    if selected.run_type.value in {m.value for m in SyncMode}:
        return StartSync.model_validate({**common, "mode": SyncMode(selected.run_type.value)})
    return None


def source_host(work: MailboxWork) -> str | None:
    """The host the per-host limit counts against."""
    return work.source.host if isinstance(work, ImapWork) else None
