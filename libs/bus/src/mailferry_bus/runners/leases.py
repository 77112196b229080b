"""Concurrency leases in the ``migration_slots`` KV bucket, shared by every runner process.

A scope (a job, or a source host) with limit N owns the keys ``<scope>.<id>.0`` ...
``<scope>.<id>.N-1``. Taking a slot is a KV create (or a compare-and-set over an expired
holder); the holder renews the expiry while it runs, so the slot of a runner that died frees
itself after ``ttl_s``. Because every change is conditional on the key's revision, two
processes can never both believe they hold one slot.
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from nats.js.errors import BadRequestError, KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue

log = logging.getLogger(__name__)

JOB_SCOPE = "job"
HOST_SCOPE = "host"


class LeaseLostError(RuntimeError):
    """Another holder took the slot (ours had expired): stop the work it guarded."""


@dataclass(frozen=True)
class Holder:
    """Who holds a slot and until when (wall-clock seconds)."""

    runner_id: str
    run_id: str
    expires_at: float

    def encode(self) -> bytes:
        return json.dumps(self.__dict__, sort_keys=True).encode()

    @classmethod
    def decode(cls, raw: bytes | None) -> "Holder | None":
        try:
            data = json.loads(raw or b"")
            return cls(str(data["runner_id"]), str(data["run_id"]), float(data["expires_at"]))
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class Lease:
    """A slot we hold: its key and the revision our last write produced."""

    key: str
    revision: int
    holder: Holder


def slot_keys(scope: str, scope_id: str, limit: int) -> list[str]:
    """The keys of a scope's ``limit`` slots."""
    return [f"{scope}.{scope_id}.{index}" for index in range(max(0, limit))]


def host_id(host: str) -> str:
    """A KV-safe, case-insensitive token for a host name or address (IPv6 has colons)."""
    return hashlib.sha256(host.strip().lower().encode()).hexdigest()[:20]


def is_free(holder: Holder | None, now: float) -> bool:
    """A slot is free when nobody holds it, its value is unreadable, or its holder expired."""
    return holder is None or holder.expires_at <= now


class LeaseStore:
    """Take, renew and release slots."""

    def __init__(self, kv: KeyValue, ttl_s: float, clock: Callable[[], float] = time.time) -> None:
        self._kv = kv
        self._ttl = ttl_s
        self._clock = clock

    async def acquire(
        self, scope: str, scope_id: str, limit: int, runner_id: str, run_id: str
    ) -> Lease | None:
        """Take a free slot of the scope, or return ``None`` when all ``limit`` are held."""
        for key in slot_keys(scope, scope_id, limit):
            lease = await self._take(key, runner_id, run_id)
            if lease is not None:
                return lease
        return None

    async def renew(self, lease: Lease) -> Lease:
        """Push the expiry forward; raise ``LeaseLostError`` if someone else holds it now."""
        holder = Holder(lease.holder.runner_id, lease.holder.run_id, self._expiry())
        try:
            revision = await self._kv.update(lease.key, holder.encode(), last=lease.revision)
        except KeyWrongLastSequenceError as exc:
            raise LeaseLostError(f"slot {lease.key} was taken over") from exc
        return Lease(lease.key, revision, holder)

    async def release(self, lease: Lease) -> None:
        """Free the slot if we still hold it (a taken-over slot is left to its new holder)."""
        try:
            await self._kv.delete(lease.key, last=lease.revision)
        except BadRequestError:
            log.info("slot %s was already taken over; not releasing it", lease.key)

    async def _take(self, key: str, runner_id: str, run_id: str) -> Lease | None:
        holder = Holder(runner_id, run_id, self._expiry())
        try:
            return Lease(key, await self._kv.create(key, holder.encode()), holder)
        except KeyWrongLastSequenceError:
            pass
        try:
            entry = await self._kv.get(key)
        except NotFoundError:
            return None  # released between our two reads; the next round takes it
        if entry.revision is None or not is_free(Holder.decode(entry.value), self._clock()):
            return None
        try:
            revision = await self._kv.update(key, holder.encode(), last=entry.revision)
        except KeyWrongLastSequenceError:
            return None
        return Lease(key, revision, holder)

    def _expiry(self) -> float:
        return self._clock() + self._ttl
