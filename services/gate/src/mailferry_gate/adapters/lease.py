"""A leader lease in a NATS KV bucket: one gate replica works, the others wait.

The value names the holder and when the lease runs out. Every write is a compare-and-set on the
key's revision, so two replicas can never both believe they took or renewed it. A passive
replica takes over once the holder stops renewing (it died) or deletes the key (it stopped).
Expiry compares wall clocks of different hosts: keep their skew well below the TTL.
"""

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

log = logging.getLogger(__name__)


class LeaderLease:
    """Acquire, renew and release one key."""

    def __init__(
        self,
        kv: KeyValue,
        key: str,
        holder: str,
        ttl_s: float,
        clock: Callable[[], datetime],
    ) -> None:
        self._kv = kv
        self._key = key
        self._holder = holder
        self._ttl = timedelta(seconds=ttl_s)
        self._clock = clock
        self._revision: int | None = None

    @property
    def held(self) -> bool:
        """Whether this process holds the lease (as of its last write)."""
        return self._revision is not None

    async def acquire(self) -> bool:
        """Take the lease if it is free or expired."""
        try:
            self._revision = await self._kv.create(self._key, self._value())
        except KeyWrongLastSequenceError:
            return await self._take_if_expired()
        return True

    async def _take_if_expired(self) -> bool:
        try:
            entry = await self._kv.get(self._key)
        except KeyNotFoundError:
            return False  # released between our two reads: try again next round
        if entry.revision is None or not self._expired(entry.value):
            return False
        return await self._write(entry.revision)

    async def renew(self) -> bool:
        """Extend the lease; False when another replica took it meanwhile."""
        if self._revision is None:
            return False
        return await self._write(self._revision)

    async def release(self) -> None:
        """Give the lease up so that a passive replica takes over at once."""
        if self._revision is None:
            return
        revision, self._revision = self._revision, None
        try:
            await self._kv.delete(self._key, last=revision)
        except KeyWrongLastSequenceError:
            log.info("lease %s was already taken over", self._key)

    async def _write(self, revision: int) -> bool:
        try:
            self._revision = await self._kv.update(self._key, self._value(), last=revision)
        except KeyWrongLastSequenceError:
            self._revision = None
            return False
        return True

    def _value(self) -> bytes:
        expires = self._clock() + self._ttl
        return json.dumps({"holder": self._holder, "expires_at": expires.isoformat()}).encode()

    def _expired(self, value: bytes | None) -> bool:
        try:
            expires = datetime.fromisoformat(json.loads(value or b"{}")["expires_at"])
        except (ValueError, KeyError, TypeError):
            return True  # unreadable lease: nobody can be relying on it
        return expires <= self._clock()
