"""Record an import: secrets to the vault, refs to the log in one atomic batch of events.

The append is made at the head the rows were validated against. A concurrent write means the
job changed under us: fold it again, check duplicates again (another import may have taken the
same address) and retry; when that fails, the secrets already stored are destroyed.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from mailferry_api.errors import ConflictError
from mailferry_api.jobstate import load_job, require_open_job
from mailferry_api.mailboxes.rows import MailboxRow, RowError, duplicate_errors
from mailferry_api.mailboxes.secrets import Refs, destroy_secrets, store_secrets
from mailferry_bus import AppendRejectedError, ConcurrencyConflictError, EventStore, Head
from mailferry_contracts import Actor, Envelope, new_envelope
from mailferry_contracts.common import SourceType
from mailferry_contracts.jobs import MailboxesImported, MailboxSpec
from mailferry_vault import CredentialVault

BATCH_SIZE = 500
"""Mailboxes per MailboxesImported event (one import = several events, appended atomically)."""


class DuplicateMailboxesError(Exception):
    """Rows that became duplicates while the import was being recorded."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} duplicate mailboxes")
        self.errors = errors


@dataclass(frozen=True)
class ImportRequest:
    """What to record and on whose behalf."""

    job_id: uuid.UUID
    rows: Sequence[MailboxRow]
    origin: Literal["csv", "json"]
    actor: Actor
    now: datetime


@dataclass(frozen=True)
class ImportOutcome:
    """What was recorded."""

    import_id: uuid.UUID
    mailbox_ids: list[uuid.UUID]
    sequences: list[int]


def _spec(row: MailboxRow, mailbox_id: uuid.UUID, refs: Refs) -> MailboxSpec:
    return MailboxSpec(
        mailbox_id=mailbox_id,
        row=row.row,
        source_type=SourceType(row.source_type),
        source_email=row.source_email,
        source_user=row.source_user,
        target_email=row.target_email,
        target_user=row.target_user,
        source_credential_ref=refs[0],
        target_credential_ref=refs[1],
        folder_map=row.folder_map,
    )


def import_envelopes(
    request: ImportRequest, specs: list[MailboxSpec], import_id: uuid.UUID
) -> list[Envelope[Any]]:
    """MailboxesImported events of ≤ BATCH_SIZE mailboxes each, sharing one correlation."""
    chunks = [specs[i : i + BATCH_SIZE] for i in range(0, len(specs), BATCH_SIZE)]
    return [
        new_envelope(
            MailboxesImported(
                import_id=import_id,
                origin=request.origin,
                batch=number,
                batch_count=len(chunks),
                mailboxes=chunk,
            ),
            aggregate_id=str(request.job_id),
            actor=request.actor,
            now=request.now,
            correlation_id=import_id,
        )
        for number, chunk in enumerate(chunks, start=1)
    ]


async def _append(
    store: EventStore,
    request: ImportRequest,
    envelopes: list[Envelope[Any]],
    head: Head,
    attempts: int,
) -> list[int]:
    for _ in range(attempts):
        try:
            return await store.append(envelopes, expected=head)
        except ConcurrencyConflictError:
            view, head = await load_job(store, request.job_id)
            require_open_job(view, request.job_id)
            if errors := duplicate_errors(request.rows, view.mailbox_by_email):
                raise DuplicateMailboxesError(errors) from None
    raise ConflictError(
        "the job kept changing while the import was recorded; nothing was imported",
        code="concurrent_write",
    )


async def record_import(
    store: EventStore,
    vault: CredentialVault,
    request: ImportRequest,
    head: Head,
    *,
    concurrency: int,
    attempts: int = 3,
) -> ImportOutcome:
    """Store the secrets, append the batches at ``head``; undo the secrets on a known failure."""
    import_id = uuid.uuid4()
    mailbox_ids = [uuid.uuid4() for _ in request.rows]
    refs = await store_secrets(vault, request.rows, mailbox_ids, concurrency)
    specs = [_spec(r, m, ref) for r, m, ref in zip(request.rows, mailbox_ids, refs, strict=True)]
    envelopes = import_envelopes(request, specs, import_id)
    try:
        sequences = await _append(store, request, envelopes, head, attempts)
    except _NOT_RECORDED:
        # Only errors that prove the batch is not in the log: after a timeout it may be.
        await destroy_secrets(vault, [ref for pair in refs for ref in pair if ref], concurrency)
        raise
    return ImportOutcome(import_id=import_id, mailbox_ids=mailbox_ids, sequences=sequences)


_NOT_RECORDED = (
    ConflictError,
    DuplicateMailboxesError,
    AppendRejectedError,
    ConcurrencyConflictError,
)
