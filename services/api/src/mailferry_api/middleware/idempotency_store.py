"""Idempotency-Key records in the KV bucket: claimed atomically, then the first response.

A record is ``pending`` while the first request runs and ``done`` with its status and body
afterwards. ``create`` succeeds for exactly one of two racing requests. A pending claim older
than ``pending_s`` belonged to a process that died; it may be taken over.
"""

import base64
import hashlib
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

MAX_STORED = 900 * 1024
"""Compressed bodies above this are not stored (a NATS message holds 1 MB by default)."""


@dataclass(frozen=True)
class StoredResponse:
    """The first response given to a key, and the hash of the request body that got it."""

    status: int
    content_type: str
    body: bytes
    body_sha256: str


@dataclass(frozen=True)
class Claimed:
    """This request owns the key; finish with ``complete`` or ``release``."""

    revision: int


@dataclass(frozen=True)
class InProgress:
    """Another request with the key is running."""


Claim = Claimed | InProgress | StoredResponse


def idempotency_key(user: str, method: str, path: str, header: str) -> str:
    """The KV key: a hash of who, what and the client's key (valid KV key characters)."""
    raw = "\x00".join((user, method, path, header)).encode()
    return hashlib.sha256(raw).hexdigest()


def _encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":")).encode()


def _response(record: dict[str, Any]) -> StoredResponse:
    return StoredResponse(
        status=int(record["status"]),
        content_type=str(record["content_type"]),
        body=zlib.decompress(base64.b64decode(record["body"])),
        body_sha256=str(record["body_sha256"]),
    )


class IdempotencyStore:
    """Claims keys and keeps first responses."""

    def __init__(
        self, kv: KeyValue, pending_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._kv = kv
        self._pending_s = pending_s
        self._clock = clock

    def _pending(self) -> bytes:
        return _encode({"state": "pending", "claimed_at": self._clock()})

    async def claim(self, key: str) -> Claim:
        """Claim ``key``, or say who has it, or return the response already given."""
        try:
            return Claimed(await self._kv.create(key, self._pending()))
        except KeyWrongLastSequenceError:
            pass
        try:
            entry = await self._kv.get(key)
        except KeyNotFoundError:
            return InProgress()
        record = json.loads(entry.value or b"{}")
        if record.get("state") == "done":
            return _response(record)
        if self._clock() - float(record.get("claimed_at", 0)) < self._pending_s:
            return InProgress()
        try:
            return Claimed(await self._kv.update(key, self._pending(), last=entry.revision))
        except KeyWrongLastSequenceError:
            return InProgress()

    async def complete(self, key: str, claim: Claimed, response: StoredResponse) -> bool:
        """Keep the first response; False (and the claim released) when it is too large."""
        packed = base64.b64encode(zlib.compress(response.body)).decode()
        if len(packed) > MAX_STORED:
            await self.release(key, claim)
            return False
        record = {
            "state": "done",
            "status": response.status,
            "content_type": response.content_type,
            "body_sha256": response.body_sha256,
            "body": packed,
        }
        await self._kv.update(key, _encode(record), last=claim.revision)
        return True

    async def release(self, key: str, claim: Claimed) -> None:
        """Give the key up so that a retry runs again (after a 5xx or a crash)."""
        try:
            await self._kv.delete(key, last=claim.revision)
        except KeyWrongLastSequenceError:
            return
