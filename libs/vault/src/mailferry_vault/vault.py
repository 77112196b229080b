"""Credentials vault: secrets sealed under the key ring in the ``migration_credentials`` KV bucket.

The event log carries only the reference. The blob is bound (AES-GCM associated data) to its
reference and its mailbox, so a blob copied onto another reference or mailbox does not open.
"""

import uuid
from dataclasses import dataclass, field

from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from mailferry_bus.kv_keys import live_keys
from mailferry_contracts import subjects
from mailferry_vault.keyring import DecryptionError, KeyRing, KeyRingError

_PREFIX = "cred:"
_CHECK_PREFIX = "keycheck."
_CHECK_TEXT = b"mailferry key check"


class SecretNotFoundError(LookupError):
    """The reference points at nothing: never stored, or destroyed (job closed or purged)."""


@dataclass
class RotationResult:
    """Outcome of a rotation, counted per reference."""

    reencrypted: int = 0
    already_current: int = 0
    missing: int = 0
    """References in the log whose secret is gone (destroyed on close or purge)."""
    failed: list[str] = field(default_factory=list)
    """References whose secret did not open (wrong mailbox binding or tampered)."""


def _key(ref: str) -> str:
    if not ref.startswith(_PREFIX):
        raise ValueError(f"not a credential reference: {ref[:12]!r}")
    return ref.removeprefix(_PREFIX)


def _aad(ref: str, mailbox_id: uuid.UUID) -> bytes:
    return f"{ref}|{mailbox_id}".encode()


def _check_aad(kid: str) -> bytes:
    return f"keycheck|{kid}".encode()


class CredentialVault:
    """Stores, opens, rotates and destroys secrets."""

    def __init__(self, kv: KeyValue, keyring: KeyRing) -> None:
        self._kv = kv
        self._keyring = keyring

    @property
    def keyring(self) -> KeyRing:
        """The keys this vault seals and opens with."""
        return self._keyring

    @classmethod
    async def open(cls, js: JetStreamContext, keyring: KeyRing) -> "CredentialVault":
        """Bind to the bucket (created by the bus topology)."""
        return cls(await js.key_value(subjects.CREDENTIALS_BUCKET), keyring)

    async def put(self, secret: str, *, mailbox_id: uuid.UUID) -> str:
        """Seal and store a secret; return its new reference."""
        ref = f"{_PREFIX}{uuid.uuid4()}"
        blob = self._keyring.seal(secret.encode(), _aad(ref, mailbox_id))
        await self._kv.put(_key(ref), blob)
        return ref

    async def get(self, ref: str, *, mailbox_id: uuid.UUID) -> str:
        """Open a secret. Only runners call this."""
        try:
            entry = await self._kv.get(_key(ref))
        except KeyNotFoundError as exc:
            raise SecretNotFoundError(f"{ref} does not exist (destroyed or never stored)") from exc
        if entry.value is None:
            raise SecretNotFoundError(f"{ref} was destroyed")
        return self._keyring.open(entry.value, _aad(ref, mailbox_id)).decode()

    async def destroy(self, refs: list[str]) -> int:
        """Purge secrets (with their history); return how many existed."""
        destroyed = 0
        for ref in refs:
            try:
                await self._kv.get(_key(ref))
            except KeyNotFoundError:
                continue
            await self._kv.purge(_key(ref))
            destroyed += 1
        return destroyed

    async def rotate(self, mailbox_of: dict[str, uuid.UUID]) -> RotationResult:
        """Re-seal every secret under the primary key.

        ``mailbox_of`` maps each reference to its mailbox (the associated data), as read from
        the event log; a stored reference missing from it is left alone and reported by the
        caller. A secret that does not open is left alone and listed in ``failed``.
        """
        result = RotationResult()
        for ref, mailbox_id in mailbox_of.items():
            outcome = await self._reseal(ref, mailbox_id)
            if outcome == "failed":
                result.failed.append(ref)
            else:
                setattr(result, outcome, getattr(result, outcome) + 1)
        return result

    async def _reseal(self, ref: str, mailbox_id: uuid.UUID) -> str:
        try:
            entry = await self._kv.get(_key(ref))
        except KeyNotFoundError:
            return "missing"
        if entry.value is None:
            return "missing"
        try:
            if self._keyring.key_id_of(entry.value) == self._keyring.primary:
                return "already_current"
            plain = self._keyring.open(entry.value, _aad(ref, mailbox_id))
        except DecryptionError:
            return "failed"
        blob = self._keyring.seal(plain, _aad(ref, mailbox_id))
        try:
            await self._kv.update(_key(ref), blob, last=entry.revision)
        except KeyWrongLastSequenceError:
            return await self._reseal(ref, mailbox_id)  # replaced meanwhile: look again
        return "reencrypted"

    async def key_id_of(self, ref: str) -> str | None:
        """The id of the key that sealed ``ref`` (None: not stored)."""
        try:
            entry = await self._kv.get(_key(ref))
        except KeyNotFoundError:
            return None
        return self._keyring.key_id_of(entry.value) if entry.value else None

    async def _keys(self) -> list[str]:
        return await live_keys(self._kv)

    async def references(self) -> list[str]:
        """Every stored reference."""
        return [
            f"{_PREFIX}{key}" for key in await self._keys() if not key.startswith(_CHECK_PREFIX)
        ]

    async def check_keys(self) -> None:
        """Prove each key of the ring against its key-check blob (sealing one on first use).

        Raises ``KeyRingError`` naming the setting when a key does not open its blob, or when
        a key id that has a blob (it sealed secrets) is missing from the ring.
        """
        checked = {key.removeprefix(_CHECK_PREFIX) for key in await self._keys()
                   if key.startswith(_CHECK_PREFIX)}  # fmt: skip
        source = self._keyring.source
        for kid in checked - set(self._keyring.keys):
            raise KeyRingError(
                f"{source} lacks key {kid!r}, which sealed stored credentials; keep it in the "
                "ring (after the new primary) until `python -m mailferry_vault rotate` is done"
            )
        for kid in self._keyring.keys:
            if kid in checked:
                await self._open_check(kid)
            else:
                await self._seal_check(kid)

    async def _open_check(self, kid: str) -> None:
        entry = await self._kv.get(_CHECK_PREFIX + kid)
        try:
            text = self._keyring.open(entry.value or b"", _check_aad(kid))
        except DecryptionError:
            text = None
        if text != _CHECK_TEXT:
            raise KeyRingError(
                f"{self._keyring.source}: key {kid!r} is not the key that sealed the stored "
                "credentials (wrong key material for this id)"
            )

    async def _seal_check(self, kid: str) -> None:
        ring = KeyRing(
            keys={kid: self._keyring.keys[kid]}, primary=kid, source=self._keyring.source
        )
        try:
            await self._kv.create(_CHECK_PREFIX + kid, ring.seal(_CHECK_TEXT, _check_aad(kid)))
        except KeyWrongLastSequenceError:
            await self._open_check(kid)  # another process sealed it first

    async def forget_key_checks(self, kids: list[str]) -> None:
        """Drop the key-check blobs of keys that no longer seal anything (after a rotation)."""
        for kid in kids:
            await self._kv.purge(_CHECK_PREFIX + kid)
