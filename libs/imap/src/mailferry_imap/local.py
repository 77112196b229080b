"""Messages that come from files (PST via readpst, mbox, eml) rather than from a server."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from mailferry_imap.identity import IdentityBuilder
from mailferry_imap.streams import CHUNK_SIZE


class LocalMessage(Protocol):
    """One message to upload.

    ``folder`` is the local folder path (``/``-separated, e.g. ``Inbox/Projects``); the upload
    maps it like a source folder. ``chunks()`` may be called more than once and must yield
    exactly ``size`` bytes each time.
    """

    @property
    def folder(self) -> str: ...

    @property
    def flags(self) -> Sequence[str]: ...

    @property
    def internal_date(self) -> datetime | None: ...

    @property
    def size(self) -> int: ...

    @property
    def ref(self) -> str: ...

    def chunks(self) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True)
class BytesMessage:
    """A message held in memory."""

    folder: str
    data: bytes
    flags: Sequence[str] = ()
    internal_date: datetime | None = None
    ref: str = ""

    @property
    def size(self) -> int:
        """Bytes of the message."""
        return len(self.data)

    async def chunks(self) -> AsyncIterator[bytes]:
        yield self.data


@dataclass(frozen=True)
class FileMessage:
    """A message stored in a file, whole or as a span (``offset``, ``length``)."""

    folder: str
    path: Path
    offset: int = 0
    length: int | None = None
    flags: Sequence[str] = ()
    internal_date: datetime | None = None
    ref: str = ""

    @property
    def size(self) -> int:
        """Bytes of the message."""
        if self.length is not None:
            return self.length
        return self.path.stat().st_size - self.offset

    async def chunks(self) -> AsyncIterator[bytes]:
        remaining = self.size
        handle = await asyncio.to_thread(self.path.open, "rb")
        try:
            await asyncio.to_thread(handle.seek, self.offset)
            while remaining > 0:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK_SIZE, remaining))
                if not chunk:
                    raise OSError(f"{self.path} ended {remaining} bytes early")
                remaining -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)


async def local_identity(message: LocalMessage) -> tuple[bytes, bool]:
    """The identity key of a local message and whether it has a Message-ID.

    Reads the header block; without a Message-ID, reads the body too (streamed).
    """
    builder = IdentityBuilder()
    async for chunk in message.chunks():
        builder.feed(chunk)
        if builder.complete:
            break
    return builder.result()
