"""Key rotation over the whole vault: which mailbox owns each secret comes from the event log.

The AES-GCM associated data binds each blob to its reference and mailbox, so re-sealing needs
the mailbox of every reference. The log has it: ``MailboxesImported`` and
``MailboxCredentialsUpdated``. A stored secret no event mentions (an import still being
recorded, or debris) is left alone and reported, never guessed at.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nats.js.errors import NotFoundError

from mailferry_bus import Bus
from mailferry_contracts import Envelope, subjects
from mailferry_contracts.jobs import MailboxCredentialsUpdated, MailboxesImported
from mailferry_vault.vault import CredentialVault, RotationResult

_TYPES = ("MailboxesImported", "MailboxCredentialsUpdated")


def credential_owners(envelopes: Iterable[Envelope[Any]]) -> dict[str, uuid.UUID]:
    """Reference -> mailbox id, from the credential-carrying job events. Pure."""
    owners: dict[str, uuid.UUID] = {}
    for envelope in envelopes:
        payload = envelope.payload
        if isinstance(payload, MailboxesImported):
            for spec in payload.mailboxes:
                for ref in (spec.source_credential_ref, spec.target_credential_ref):
                    if ref:
                        owners[ref] = spec.mailbox_id
        elif isinstance(payload, MailboxCredentialsUpdated):
            for ref in (payload.source_credential_ref, payload.target_credential_ref):
                if ref:
                    owners[ref] = payload.mailbox_id
    return owners


async def _read_type(bus: Bus, type_name: str) -> list[Envelope[Any]]:
    subject_filter = subjects.events_of_type(subjects.AGGREGATE_JOB, type_name)
    try:
        last = await bus.js.get_last_msg(subjects.EVENTS_STREAM, subject_filter)
    except NotFoundError:
        return []
    stored = await bus.events.read(subject_filter, last.seq or 0)
    return [event.envelope for event in stored]


async def owners_from_log(bus: Bus) -> dict[str, uuid.UUID]:
    """Every credential reference the event log knows, with its mailbox."""
    envelopes = [env for type_name in _TYPES for env in await _read_type(bus, type_name)]
    return credential_owners(envelopes)


@dataclass
class RotationReport:
    """What a rotation did and what it left alone."""

    primary: str
    result: RotationResult
    unknown: list[str] = field(default_factory=list)
    """Stored references no event mentions: left sealed as they were."""
    keys_in_use: dict[str, int] = field(default_factory=dict)
    """Key id -> secrets it still seals (the primary's count included)."""
    retired: list[str] = field(default_factory=list)
    """Old key ids that seal nothing any more: they may leave the ring."""

    def render(self) -> str:
        """The report for a person."""
        r = self.result
        lines = [
            f"primary key: {self.primary}",
            f"re-encrypted: {r.reencrypted}",
            f"already under the primary: {r.already_current}",
            f"in the log but destroyed: {r.missing}",
            f"did not open (left alone): {len(r.failed)}",
            *(f"  {ref}" for ref in r.failed),
            f"unknown to the log (left alone): {len(self.unknown)}",
            *(f"  {ref}" for ref in self.unknown),
            "secrets per key: "
            + ", ".join(f"{k}={n}" for k, n in sorted(self.keys_in_use.items())),
        ]
        if self.retired:
            lines.append(f"keys that seal nothing now (may be removed): {', '.join(self.retired)}")
        return "\n".join(lines)


async def rotate_all(bus: Bus, vault: CredentialVault) -> RotationReport:
    """Re-seal every known secret under the primary key and report on the rest."""
    owners = await owners_from_log(bus)
    result = await vault.rotate(owners)
    stored = await vault.references()
    unknown = sorted(set(stored) - set(owners))
    in_use: dict[str, int] = {}
    for ref in stored:
        kid = await vault.key_id_of(ref)
        if kid is not None:
            in_use[kid] = in_use.get(kid, 0) + 1
    keyring = vault.keyring
    retired = [kid for kid in keyring.keys if kid != keyring.primary and kid not in in_use]
    await vault.check_keys()  # before forgetting: it seals a check for every key of the ring
    await vault.forget_key_checks(retired)
    return RotationReport(keyring.primary, result, unknown, in_use, retired)
