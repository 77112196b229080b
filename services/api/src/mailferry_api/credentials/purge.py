"""Destroying every secret of a job: on an explicit purge, and when the job closes.

The references come from the job's own events (every ``MailboxesImported`` and every
``MailboxCredentialsUpdated``, replaced ones included), not from the read models, so nothing
the log ever pointed at survives. Destroying is idempotent; ``JobSecretsPurged`` records how
many secrets still existed.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mailferry_api.errors import NotFoundError
from mailferry_bus import EventStore
from mailferry_contracts import Actor, Envelope, new_envelope
from mailferry_contracts.jobs import JobSecretsPurged, MailboxCredentialsUpdated, MailboxesImported
from mailferry_contracts.subjects import AGGREGATE_JOB
from mailferry_vault import CredentialVault


@dataclass(frozen=True)
class PurgeOutcome:
    """What a purge destroyed and where it was recorded."""

    job_id: uuid.UUID
    references: int
    destroyed: int
    sequence: int


def job_credential_refs(envelopes: Iterable[Envelope[Any]]) -> list[str]:
    """Every credential reference a job's events ever carried, in order, without repeats."""
    refs: dict[str, None] = {}
    for envelope in envelopes:
        payload = envelope.payload
        if isinstance(payload, MailboxesImported):
            for spec in payload.mailboxes:
                pair = (spec.source_credential_ref, spec.target_credential_ref)
                refs.update(dict.fromkeys(r for r in pair if r))
        elif isinstance(payload, MailboxCredentialsUpdated):
            pair = (payload.source_credential_ref, payload.target_credential_ref)
            refs.update(dict.fromkeys(r for r in pair if r))
    return list(refs)


async def purge_job_secrets(
    events: EventStore, vault: CredentialVault, job_id: uuid.UUID, *, actor: Actor, now: datetime
) -> PurgeOutcome:
    """Destroy every secret of the job and append ``JobSecretsPurged`` (404: no such job).

    The job-close endpoint calls this right after appending ``JobClosed``.
    """
    stored, _ = await events.load(AGGREGATE_JOB, str(job_id))
    if not stored:
        raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    refs = job_credential_refs(e.envelope for e in stored)
    destroyed = await vault.destroy(refs)
    # A fact that holds whatever the job's state: appended at the current head.
    event = JobSecretsPurged(credential_count=destroyed)
    [sequence] = await events.append(
        [new_envelope(event, aggregate_id=str(job_id), actor=actor, now=now)]
    )
    return PurgeOutcome(job_id, len(refs), destroyed, sequence)
