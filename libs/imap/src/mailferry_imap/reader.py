"""The reading half of a connection: every response is parsed and routed here.

It runs as the connection's reader task. Tagged responses complete their pending command;
each untagged one goes to the oldest pending command that asked for its keyword; a ``+``
goes to whoever waits for a continuation. A large literal may be streamed into a sink (the
body of a message being copied) instead of being read into memory.
"""

import asyncio
import re
from collections.abc import Callable, Sequence

from mailferry_imap.errors import CONNECTION_FAILED, INTERNAL, ImapError, Side, classify_os_error
from mailferry_imap.protocol import LITERAL_END, StatusText, parse_status
from mailferry_imap.responses import (
    Completion,
    LiteralHook,
    LiteralSink,
    Pending,
    Trace,
    Untagged,
    UntaggedHandler,
)
from mailferry_imap.streams import CHUNK_SIZE, StreamedLiteral

LINE_LIMIT = 16 * 1024 * 1024
"""Longest response line accepted (read in pieces, so the socket buffer stays small)."""

_HEAD = re.compile(rb"\* (?:(\d+) )?([A-Za-z][A-Za-z0-9.=_-]*)(?: |\r?\n|$)")


class ResponseReader:
    """Reads one connection's responses; ``activity`` and ``socket_wait`` feed its watchdog."""

    def __init__(
        self,
        stream: asyncio.StreamReader,
        pending: dict[bytes, Pending],
        *,
        where: str,
        side: Side,
        capabilities: frozenset[str],
        trace: Trace | None,
    ) -> None:
        self.capabilities = capabilities
        self.on_continuation: Callable[[bytes], None] | None = None
        self.sink: LiteralSink | None = None
        self.socket_wait = False
        self._stream = stream
        self._pending = pending
        self._where = where
        self._side = side
        self._trace = trace
        self._bye: str | None = None
        self._loop = asyncio.get_running_loop()
        self.activity = self._loop.time()

    def touch(self) -> None:
        """Note progress (also called by the writing half)."""
        self.activity = self._loop.time()

    async def run(self, end: Callable[[ImapError], None]) -> None:
        """Read until the connection ends; ``end`` gets the reason."""
        try:
            while True:
                line = await self._readline()
                if line.startswith(b"+"):
                    self._continuation(line)
                elif line.startswith(b"* "):
                    await self._untagged(line)
                else:
                    self._tagged(line)
        except asyncio.CancelledError:
            end(ImapError(CONNECTION_FAILED, f"connection to {self._where} closed"))
            raise
        except Exception as exc:  # whatever ends the reader ends the connection
            end(self._lost(exc))

    def _lost(self, exc: BaseException) -> ImapError:
        if self._bye is not None and not isinstance(exc, ImapError):
            return ImapError(CONNECTION_FAILED, f"{self._where} closed the session: {self._bye}")
        return classify_os_error(exc, self._where)

    async def _readline(self) -> bytes:
        self.socket_wait = True
        try:
            line = await self._read_long_line()
        finally:
            self.socket_wait = False
        self.touch()
        return line

    async def _read_long_line(self) -> bytes:
        pieces: list[bytes] = []
        length = 0
        while True:
            try:
                line = await self._stream.readuntil(b"\n")
            except asyncio.LimitOverrunError as exc:
                piece = await self._stream.readexactly(exc.consumed)
            else:
                pieces.append(line)
                return b"".join(pieces) if len(pieces) > 1 else line
            pieces.append(piece)
            length += len(piece)
            self.touch()
            if length > LINE_LIMIT:
                raise ImapError(INTERNAL, f"{self._where} sent a line over {LINE_LIMIT} bytes")

    def _continuation(self, line: bytes) -> None:
        if self.on_continuation is None:
            raise ImapError(INTERNAL, f"{self._where} sent an unexpected continuation")
        self.on_continuation(line)

    def _tagged(self, line: bytes) -> None:
        tag, _, rest = line.partition(b" ")
        pending = self._pending.pop(tag, None)
        if pending is None:
            raise ImapError(INTERNAL, f"{self._where} answered an unknown tag {tag[:20]!r}")
        status = parse_status(rest)
        self._take_capabilities(status)
        if self._trace is not None and status.status != "OK":
            self._trace(f"{self._side} S: {tag.decode()} {status.status} {status.text}")
        if not pending.future.done():
            pending.future.set_result(
                Completion(status.status, status.code, status.code_args, status.text)
            )

    async def _untagged(self, line: bytes) -> None:
        head = _HEAD.match(line)
        if head is None:
            raise ImapError(INTERNAL, f"{self._where} sent {line[:80]!r}")
        number = int(head.group(1)) if head.group(1) else None
        keyword = head.group(2).decode("ascii").upper()
        handler, hook = self._route(keyword)
        parts: list[bytes] = []
        literals: list[object] = []
        text = line[head.end() :]
        while (match := LITERAL_END.search(text)) is not None:
            parts.append(text[: match.start()])
            literals.append(await self._literal(number, parts, int(match.group(1)), hook))
            text = await self._readline()
        parts.append(text.rstrip(b"\r\n"))
        response = Untagged(number, keyword, parts, literals)
        self._note(response)
        if handler is not None and (result := handler(response)) is not None:
            await result

    def _route(self, keyword: str) -> tuple[UntaggedHandler | None, LiteralHook | None]:
        for pending in self._pending.values():
            handler = pending.handlers.get(keyword)
            if handler is not None:
                return handler, pending.literal_hook
        return None, None

    def _note(self, response: Untagged) -> None:
        if response.keyword == "CAPABILITY":
            self.capabilities = frozenset(b"".join(response.parts).decode().upper().split())
        elif response.keyword in ("OK", "BYE"):
            status = response.status()
            self._take_capabilities(status)
            if response.keyword == "BYE":
                self._bye = status.text

    def _take_capabilities(self, status: StatusText) -> None:
        if status.code == "CAPABILITY":
            self.capabilities = frozenset(status.code_args.upper().split())

    async def _literal(
        self, number: int | None, parts: Sequence[bytes], size: int, hook: LiteralHook | None
    ) -> object:
        sink = await hook(number, parts, size) if hook is not None else None
        if sink is None:
            self.socket_wait = True
            try:
                return await self._stream.readexactly(size)
            finally:
                self.socket_wait = False
                self.touch()
        await self._pump(sink, size)
        return StreamedLiteral(size)

    async def _pump(self, sink: LiteralSink, size: int) -> None:
        self.sink = sink
        remaining = size
        while remaining:
            self.socket_wait = True
            chunk = await self._stream.read(min(remaining, CHUNK_SIZE))
            self.socket_wait = False
            if not chunk:
                raise asyncio.IncompleteReadError(b"", remaining)
            self.touch()
            remaining -= len(chunk)
            await sink.feed(chunk)
        self.sink = None
        await sink.close(None)
