"""The native engine's sync state in NATS KV, one key per mailbox (runners share no disk)."""

import uuid

from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue


class KvSyncState:
    """``mailferry_imap.SyncStateStore`` over the ``migration_sync_state`` bucket."""

    def __init__(self, kv: KeyValue, mailbox_id: uuid.UUID) -> None:
        self._kv = kv
        self._key = str(mailbox_id)

    async def load(self) -> bytes | None:
        try:
            entry = await self._kv.get(self._key)
        except KeyNotFoundError:
            return None
        return entry.value

    async def save(self, data: bytes) -> None:
        await self._kv.put(self._key, data)


class KvSyncStates:
    """Hands out the state store of each mailbox."""

    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv

    def of(self, mailbox_id: uuid.UUID) -> KvSyncState:
        return KvSyncState(self._kv, mailbox_id)
