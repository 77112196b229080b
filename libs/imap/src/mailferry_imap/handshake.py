"""Opening a connection: TCP, implicit TLS or STARTTLS, the greeting and its capabilities.

All of it happens before the connection's reader task starts, so that nothing reads past the
plain-text part of a STARTTLS exchange.
"""

import asyncio
import functools
import ssl
from dataclasses import dataclass
from typing import Literal

from mailferry_imap.errors import CONNECTION_FAILED, TLS_FAILED, ImapError, classify_os_error
from mailferry_imap.protocol import StatusText, parse_status

Security = Literal["ssl", "starttls", "none"]
READ_BUFFER = 64 * 1024
"""asyncio's reader buffers up to twice this before it stops reading the socket."""


@functools.lru_cache(maxsize=8)
def tls_context(verify: bool, ca_file: str | None = None) -> ssl.SSLContext:
    """A client TLS context (cached: loading the CA store costs milliseconds)."""
    context = ssl.create_default_context(cafile=ca_file)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class Opened:
    """A greeted stream, TLS done, and the capabilities the server announced (maybe none)."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    capabilities: frozenset[str]


async def open_stream(
    host: str, port: int, security: Security, verify_tls: bool, where: str, idle_timeout: float
) -> Opened:
    """Connect and greet; every failure is an ``ImapError`` (tls_failed, timeout...)."""
    context = tls_context(verify_tls) if security != "none" else None
    try:
        async with asyncio.timeout(idle_timeout):
            reader, writer = await asyncio.open_connection(
                host,
                port,
                ssl=context if security == "ssl" else None,
                server_hostname=host if security == "ssl" else None,
                limit=READ_BUFFER,
            )
    except (OSError, TimeoutError) as exc:
        raise classify_os_error(exc, where) from exc
    opened = Opened(reader, writer, frozenset())
    try:
        async with asyncio.timeout(idle_timeout):
            await _greet(opened, where)
            if security == "starttls" and context is not None:
                await _starttls(opened, context, host, where)
    except BaseException as exc:
        writer.transport.abort()
        if isinstance(exc, OSError | TimeoutError | asyncio.IncompleteReadError):
            raise classify_os_error(exc, where) from exc
        raise
    return opened


async def _greet(opened: Opened, where: str) -> None:
    line = await opened.reader.readuntil(b"\n")
    status = parse_status(line[2:]) if line.startswith(b"* ") else None
    if status is None or status.status not in ("OK", "PREAUTH"):
        raise ImapError(CONNECTION_FAILED, f"{where} refused us: {line[:200]!r}")
    if status.code == "CAPABILITY":
        opened.capabilities = frozenset(status.code_args.upper().split())


async def _starttls(opened: Opened, context: ssl.SSLContext, host: str, where: str) -> None:
    if not opened.capabilities:
        await _simple(opened, b"C0 CAPABILITY\r\n", b"C0 ")
    if "STARTTLS" not in opened.capabilities:
        raise ImapError(TLS_FAILED, f"{where} does not offer STARTTLS")
    status = await _simple(opened, b"S0 STARTTLS\r\n", b"S0 ")
    if status.status != "OK":
        raise ImapError(TLS_FAILED, f"{where} refused STARTTLS: {status.text}")
    await opened.writer.start_tls(context, server_hostname=host)
    # RFC 3501: capabilities learnt before STARTTLS must be forgotten.
    opened.capabilities = frozenset()


async def _simple(opened: Opened, command: bytes, tag: bytes) -> StatusText:
    opened.writer.write(command)
    await opened.writer.drain()
    while True:
        line = await opened.reader.readuntil(b"\n")
        if line.startswith(tag):
            return parse_status(line[len(tag) :])
        if line.upper().startswith(b"* CAPABILITY "):
            opened.capabilities = frozenset(line[13:].decode().upper().split())
