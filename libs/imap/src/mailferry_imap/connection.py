"""One IMAP connection: TLS, a reader task that routes every response, pipelined commands.

Commands are written under a lock (never interleaved) and may be pipelined: ``send`` returns
as soon as the command is on the wire, with a future for its tagged completion. The reader task
hands each untagged response to the oldest pending command that asked for its keyword, and may
stream a large literal into a ``BodyStream`` instead of reading it into memory.

A watchdog aborts the connection with ``timeout`` when a command is pending, the reader waits
on the socket, and nothing was read or written for ``timeout`` seconds. Time spent waiting for
a slow *consumer* does not count: that is the other connection's business.
"""

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mailferry_imap.errors import (
    CONNECTION_FAILED,
    INTERNAL,
    TIMEOUT,
    CommandError,
    ImapError,
    Side,
    classify_os_error,
)
from mailferry_imap.handshake import Security, open_stream
from mailferry_imap.reader import ResponseReader
from mailferry_imap.responses import (
    Completion,
    LiteralHook,
    LiteralSink,
    Pending,
    Trace,
    Untagged,
    UntaggedHandler,
)
from mailferry_imap.streams import LiteralArg

__all__ = [
    "Completion",
    "Connection",
    "LiteralHook",
    "LiteralSink",
    "Pending",
    "Security",
    "Trace",
    "Untagged",
    "UntaggedHandler",
]


def _retrieve(future: "asyncio.Future[Completion]") -> None:
    # Marks a failed future's exception as seen even when nobody awaits it (pipelined commands
    # of a connection that died), which would otherwise be logged as never retrieved.
    if not future.cancelled():
        future.exception()


class Connection:
    """An open, not yet authenticated (or authenticated) IMAP connection."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        where: str,
        side: Side,
        timeout: float,
        capabilities: frozenset[str] = frozenset(),
        trace: Trace | None = None,
    ) -> None:
        self.where = where
        self.side = side
        self._writer = writer
        self._timeout = timeout
        self._trace = trace
        self._loop = asyncio.get_running_loop()
        self._pending: dict[bytes, Pending] = {}
        self._in = ResponseReader(
            reader, self._pending, where=where, side=side, capabilities=capabilities, trace=trace
        )
        self._tags = 0
        self._write_lock = asyncio.Lock()
        self._error: ImapError | None = None
        self._task: asyncio.Task[None] | None = None
        self._watchdog: asyncio.TimerHandle | None = None

    @property
    def capabilities(self) -> frozenset[str]:
        """What the server said it can do (upper case), as last announced."""
        return self._in.capabilities

    # ------------------------------------------------------------ opening

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        security: Security,
        *,
        side: Side,
        verify_tls: bool = True,
        idle_timeout: float = 60.0,
        trace: Trace | None = None,
    ) -> "Connection":
        """Connect (TLS or STARTTLS as asked), read the greeting, start the reader task."""
        where = f"{side} server {host}:{port}"
        opened = await open_stream(host, port, security, verify_tls, where, idle_timeout)
        conn = cls(
            opened.reader,
            opened.writer,
            where=where,
            side=side,
            timeout=idle_timeout,
            capabilities=opened.capabilities,
            trace=trace,
        )
        conn._start()
        if not conn.capabilities:
            try:
                await conn.refresh_capabilities()
            except BaseException:
                conn.close()
                raise
        return conn

    def _start(self) -> None:
        self._task = asyncio.create_task(self._in.run(self.abort), name=f"imap {self.where}")
        self._arm_watchdog()

    # ------------------------------------------------------------ commands

    @property
    def closed(self) -> bool:
        """Whether the connection is unusable (closed, lost, timed out)."""
        return self._error is not None

    def has(self, capability: str) -> bool:
        """Whether the server announced a capability (case-insensitive)."""
        return capability.upper() in self.capabilities

    async def refresh_capabilities(self) -> frozenset[str]:
        """Ask for CAPABILITY (after login or STARTTLS the list may change)."""
        await self.run("CAPABILITY")
        return self.capabilities

    async def run(
        self,
        name: str,
        args: Sequence[bytes | LiteralArg] = (),
        *,
        handlers: Mapping[str, UntaggedHandler] | None = None,
        literal_hook: LiteralHook | None = None,
        error_class: str = INTERNAL,
        redact: bool = False,
    ) -> Completion:
        """Send a command and wait for it; NO/BAD raises ``CommandError(error_class)``."""
        pending = await self.send(
            name, args, handlers=handlers, literal_hook=literal_hook, redact=redact
        )
        return self.check(name, await pending.future, error_class)

    def check(self, name: str, completion: Completion, error_class: str) -> Completion:
        """Raise ``CommandError`` unless the completion is OK."""
        if not completion.ok:
            raise CommandError(
                error_class, name, completion.status, completion.code, completion.text
            )
        return completion

    async def send(
        self,
        name: str,
        args: Sequence[bytes | LiteralArg] = (),
        *,
        handlers: Mapping[str, UntaggedHandler] | None = None,
        literal_hook: LiteralHook | None = None,
        redact: bool = False,
        on_continuation: Callable[[bytes], None] | None = None,
    ) -> Pending:
        """Write a command; return at once with its pending completion (pipelining)."""
        self._raise_if_closed()
        async with self._write_lock:
            self._raise_if_closed()
            self._tags += 1
            tag = b"M%d" % self._tags
            future: asyncio.Future[Completion] = self._loop.create_future()
            future.add_done_callback(_retrieve)
            pending = Pending(tag, name, future, handlers or {}, literal_hook)
            self._pending[tag] = pending
            self._log_command(tag, name, args, redact)
            try:
                await self._write_command(pending, args, on_continuation)
            except BaseException as exc:
                self.abort(classify_os_error(exc, self.where))
                raise
        return pending

    async def _write_command(
        self,
        pending: Pending,
        args: Sequence[bytes | LiteralArg],
        on_continuation: Callable[[bytes], None] | None,
    ) -> None:
        buffer = bytearray(pending.tag + b" " + pending.name.encode("ascii"))
        for index, arg in enumerate(args):
            buffer += b" "
            if isinstance(arg, bytes):
                buffer += arg
                continue
            if not await self._literal_header(pending, arg, buffer):
                await _discard_rest(args[index:])
                return
            buffer = bytearray()
            await self._write_literal(arg)
        if on_continuation is not None:
            self._in.on_continuation = on_continuation
            pending.future.add_done_callback(lambda _: self._forget_continuation(on_continuation))
        self._writer.write(bytes(buffer) + b"\r\n")
        await self._drain()

    def _forget_continuation(self, callback: Callable[[bytes], None]) -> None:
        if self._in.on_continuation is callback:
            self._in.on_continuation = None

    async def _literal_header(self, pending: Pending, arg: LiteralArg, buffer: bytearray) -> bool:
        if self.has("LITERAL+"):
            self._writer.write(bytes(buffer) + b"{%d+}\r\n" % arg.size)
            return True
        self._writer.write(bytes(buffer) + b"{%d}\r\n" % arg.size)
        await self._drain()
        return await self._continuation_or_refusal(pending)

    async def _continuation_or_refusal(self, pending: Pending) -> bool:
        go_on: asyncio.Future[bytes] = self._loop.create_future()
        self._in.on_continuation = lambda line: None if go_on.done() else go_on.set_result(line)
        try:
            waiters: list[asyncio.Future[Any]] = [go_on, pending.future]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._in.on_continuation = None
        self._raise_if_closed()
        return go_on.done()

    async def _write_literal(self, arg: LiteralArg) -> None:
        if isinstance(arg.data, bytes):
            self._writer.write(arg.data)
            await self._drain()
            return
        sent = 0
        async for chunk in arg.data:
            self._writer.write(chunk)
            sent += len(chunk)
            await self._drain()
        if sent != arg.size:
            raise ImapError(INTERNAL, f"literal of {arg.size} bytes ended after {sent}")

    async def _drain(self) -> None:
        await self._writer.drain()
        self._in.touch()

    def write_line(self, line: bytes) -> None:
        """Answer a continuation request (SASL), from a continuation callback."""
        self._writer.write(line + b"\r\n")
        self._in.touch()

    def _log_command(
        self, tag: bytes, name: str, args: Sequence[bytes | LiteralArg], redact: bool
    ) -> None:
        if self._trace is None:
            return
        shown = [_show(arg) for arg in args]
        if redact:
            shown = shown[:1] + ["[redacted]"] * (len(shown) > 1)
        self._trace(f"{self.side} C: {tag.decode()} {name} {' '.join(shown)}".rstrip())

    # ------------------------------------------------------------ ending

    def _arm_watchdog(self) -> None:
        self._watchdog = self._loop.call_later(max(self._timeout / 4, 0.05), self._check_idle)

    def _check_idle(self) -> None:
        if self.closed:
            return
        idle = self._loop.time() - self._in.activity
        if self._pending and self._in.socket_wait and idle > self._timeout:
            self.abort(ImapError(TIMEOUT, f"{self.where} sent nothing for {idle:.0f} s"))
            return
        self._arm_watchdog()

    def abort(self, error: ImapError) -> None:
        """Drop the connection at once; every pending command fails with ``error``."""
        if self._error is not None:
            return
        self._error = error
        if self._watchdog is not None:
            self._watchdog.cancel()
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(error)
        self._pending.clear()
        if self._in.sink is not None:
            sink, self._in.sink = self._in.sink, None
            task = asyncio.ensure_future(sink.close(error))
            task.add_done_callback(lambda t: t.exception())
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
        self._writer.transport.abort()

    async def logout(self) -> None:
        """LOGOUT politely (briefly), then close."""
        if not self.closed:
            try:
                async with asyncio.timeout(min(self._timeout, 5.0)):
                    await self.run("LOGOUT", handlers={"BYE": lambda _: None})
            except (ImapError, TimeoutError):
                pass
        self.close()

    def close(self) -> None:
        """Close without LOGOUT."""
        self.abort(ImapError(CONNECTION_FAILED, f"connection to {self.where} closed"))

    def _raise_if_closed(self) -> None:
        if self._error is not None:
            raise self._error


async def _discard_rest(args: Sequence[bytes | LiteralArg]) -> None:
    """Drain streamed literals a refused command will never send (the source must go on)."""
    for arg in args:
        if isinstance(arg, LiteralArg) and not isinstance(arg.data, bytes):
            async for _ in arg.data:
                pass


def _show(arg: bytes | LiteralArg) -> str:
    if isinstance(arg, LiteralArg):
        return f"{{{arg.size}}}"
    return arg[:200].decode("utf-8", "replace")
