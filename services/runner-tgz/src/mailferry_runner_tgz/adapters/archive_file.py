"""An archive on local disk as an async stream of messages (the reader runs in a thread)."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from mailferry_runner_tgz.archive import DEFAULT_MAX_MESSAGE_BYTES, ArchiveReader, OnRefused
from mailferry_runner_tgz.inventory import Inventory
from mailferry_runner_tgz.messages import ArchiveMessage


class ArchiveFile:
    """One archive file; ``inventory`` is complete once ``messages()`` has been exhausted."""

    def __init__(self, path: Path, *, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> None:
        self.path = path
        self.max_message_bytes = max_message_bytes
        self.inventory: Inventory | None = None

    async def messages(self, on_refused: OnRefused | None = None) -> AsyncIterator[ArchiveMessage]:
        """The messages for the IMAP uploader, read one at a time off the event loop.

        ``on_refused`` is called (in the reader's thread) for every message the reader refuses.
        """
        handle = await asyncio.to_thread(self.path.open, "rb")
        reader = ArchiveReader(
            handle, max_message_bytes=self.max_message_bytes, on_refused=on_refused
        )
        pending = reader.messages()
        try:
            while (message := await asyncio.to_thread(next, pending, None)) is not None:
                yield message
        finally:
            await asyncio.to_thread(handle.close)
            self.inventory = reader.inventory

    async def scan(self, on_refused: OnRefused | None = None) -> Inventory:
        """Read the whole archive once for its counts (e.g. totals before an upload)."""
        async for _ in self.messages(on_refused):
            pass
        if self.inventory is None:
            raise RuntimeError("the archive was not read")
        return self.inventory
