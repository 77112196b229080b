"""Literals that flow through without being held in memory.

A ``BodyStream`` is filled by a connection's reader task while it reads a large literal from the
socket, and emptied by whoever copies the message. Its queue holds a few chunks only, so a slow
consumer makes the reader stop reading the socket: memory stays bounded whatever the size.
"""

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

CHUNK_SIZE = 64 * 1024
"""Bytes read from a socket at a time while streaming a literal."""


class BodyStream:
    """Chunks of one literal, in order; iterate it exactly once."""

    def __init__(self, size: int, depth: int = 4) -> None:
        self.size = size
        self._queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(maxsize=depth)
        self.consumed = False

    async def feed(self, chunk: bytes) -> None:
        """Called by the reader; waits while the consumer is behind."""
        await self._queue.put(chunk)

    async def close(self, error: BaseException | None) -> None:
        """End of the literal, or the error that cut it short."""
        if error is None:
            await self._queue.put(None)
            return
        while self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(error)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.consumed:
            raise RuntimeError("a message body stream can be read only once")
        self.consumed = True
        while True:
            item = await self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    async def discard(self) -> None:
        """Read and drop the rest, so the connection can go on."""
        if not self.consumed:
            async for _ in self:
                pass


@dataclass(frozen=True, slots=True)
class StreamedLiteral:
    """Placeholder left in a parsed response where a literal was streamed away."""

    size: int


@dataclass(frozen=True, slots=True)
class LiteralArg:
    """A literal in a command: bytes, or chunks whose total is exactly ``size``."""

    size: int
    data: bytes | AsyncIterable[bytes]

    @classmethod
    def of(cls, data: bytes) -> "LiteralArg":
        """A literal holding ``data``."""
        return cls(len(data), data)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The literal's bytes, in chunks."""
        if isinstance(self.data, bytes):
            yield self.data
            return
        async for chunk in self.data:
            yield chunk
