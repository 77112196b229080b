"""Failed-login records in the KV bucket, shared by every API process."""

import hashlib
import json
import time
from collections.abc import Callable

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from mailferry_api.auth.lockout import Failures, Policy, after_failure, locked_for

_ATTEMPTS = 5


def _key(kind: str, value: str) -> str:
    # Hashed: KV keys allow few characters, and the bucket should not list who tried to log in.
    return f"{kind}.{hashlib.sha256(value.strip().lower().encode()).hexdigest()[:40]}"


class LoginThrottle:
    """Locks accounts and addresses that keep failing; ``clock`` is epoch seconds."""

    def __init__(
        self, kv: KeyValue, *, account: Policy, address: Policy,
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self._kv = kv
        self._policies = {"user": account, "ip": address}
        self._clock = clock

    async def _read(self, key: str) -> tuple[Failures | None, int]:
        try:
            entry = await self._kv.get(key)
        except KeyNotFoundError:
            return None, 0
        if not entry.value:
            return None, entry.revision or 0
        raw = json.loads(entry.value)
        return Failures(raw["count"], raw["last_at"], raw["locked_until"]), entry.revision or 0

    def _keys(self, email: str, ip: str | None) -> list[tuple[str, str]]:
        keys = [("user", _key("user", email))]
        return [*keys, ("ip", _key("ip", ip))] if ip else keys

    async def retry_after(self, email: str, ip: str | None) -> float:
        """Seconds before ``email`` may try again from ``ip`` (0: now)."""
        now = self._clock()
        waits = [locked_for((await self._read(key))[0], now) for _, key in self._keys(email, ip)]
        return max(waits)

    async def record_failure(self, email: str, ip: str | None) -> None:
        """Count one more failure for the account and the address."""
        for kind, key in self._keys(email, ip):
            await self._bump(key, self._policies[kind])

    async def _bump(self, key: str, policy: Policy) -> None:
        for _ in range(_ATTEMPTS):
            failures, revision = await self._read(key)
            record = after_failure(failures, policy, self._clock())
            data = json.dumps(record.__dict__).encode()
            try:
                if revision:
                    await self._kv.update(key, data, last=revision)
                else:
                    await self._kv.create(key, data)
            except KeyWrongLastSequenceError:
                continue
            else:
                return

    async def record_success(self, email: str) -> None:
        """The account logged in: forget its failures (the address keeps its count)."""
        await self._kv.purge(_key("user", email))
