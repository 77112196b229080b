"""Build runner-tgz's command from a job request (pure): the dispatcher's ``CommandBuilder``.

Every request type becomes one ``StartTgzMigration`` whose ``run_type`` says what to do:
``preflight`` (SSH login, zmmailbox, the account, counts at the source, the destination
reachable), ``initial``/``delta``/``final`` (export the whole mailbox and import it: Zimbra
has no incremental export, and both import paths skip what is already there, so a delta is a
full export that adds only what is new), ``verify`` (counts on both sides), and a retry's
``tgz_export``/``tgz_import`` (the same as a sync). PST run types mean nothing here.
"""

import uuid

from mailferry_bus.runners import Selected
from mailferry_contracts.common import RunType
from mailferry_contracts.job_view import JobView
from mailferry_contracts.runs import MailboxWork, StartTgzMigration

MIGRATING = frozenset(
    {RunType.INITIAL, RunType.DELTA, RunType.FINAL, RunType.TGZ_EXPORT, RunType.TGZ_IMPORT}
)
"""Run types that export the mailbox and import it."""
RUN_TYPES = MIGRATING | {RunType.PREFLIGHT, RunType.VERIFY}


def build_command(
    view: JobView, selected: Selected, run_id: uuid.UUID, request_id: uuid.UUID
) -> StartTgzMigration | None:
    """The self-contained command for one Zimbra mailbox (``None``: not runner-tgz work)."""
    job = view.created
    if job is None or selected.run_type not in RUN_TYPES:
        return None
    spec = selected.spec
    return StartTgzMigration(
        run_id=run_id,
        job_id=job.job_id,
        mailbox_id=spec.mailbox_id,
        request_id=request_id,
        run_type=selected.run_type,
        destination=job.destination,
        target_user=spec.target_user,
        target_credential_ref=spec.target_credential_ref,
        folder_map={**job.options.folder_map, **spec.folder_map},
        options=job.options,
        concurrency_limit=view.concurrency_limit,
        per_host_limit=view.per_host_limit,
        source_user=spec.source_user,
        source=job.source,
    )


def source_host(work: MailboxWork) -> str | None:
    """The host the per-host limit counts against: the source Zimbra server."""
    if isinstance(work, StartTgzMigration) and work.source is not None:
        return work.source.host
    return None
