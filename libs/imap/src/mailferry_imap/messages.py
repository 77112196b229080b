"""Message-level commands: metadata FETCH, streamed body FETCH, digests, pipelined APPEND.

Bodies up to ``STREAM_THRESHOLD`` bytes arrive as ``bytes``; larger ones as a ``BodyStream``
filled while the copy reads it, so a 25 MB message never sits in memory.
"""

import asyncio
import re
from collections.abc import AsyncGenerator, AsyncIterable, Sequence
from dataclasses import dataclass

from mailferry_imap.connection import Connection, LiteralSink, Pending, Untagged
from mailferry_imap.errors import FETCH_FAILED
from mailferry_imap.identity import FETCH_HEADERS, BodyDigest, HeaderIdentity, header_identity
from mailferry_imap.protocol import Token, as_int, as_text, pairs, sequence_set
from mailferry_imap.streams import BodyStream, LiteralArg, StreamedLiteral

STREAM_THRESHOLD = 256 * 1024
"""Bodies above this size are streamed instead of read into memory."""

_UID = re.compile(rb"UID (\d+)")
_FLAG = re.compile(r"^\\?[^\s(){%*\"\\\]]+$|^\\\*$")


@dataclass(slots=True)
class MessageMeta:
    """What the copier needs to know about one message, without its body."""

    seq: int
    uid: int
    flags: tuple[str, ...]
    internal_date: str
    size: int
    identity: HeaderIdentity | None


async def fetch_meta(
    conn: Connection, spec: bytes = b"1:*", *, by_uid: bool = False, identify: bool = True
) -> list[MessageMeta]:
    """UID, flags, INTERNALDATE, size and (``identify``) header identity of messages.

    Without ``identify`` the server answers from its index alone, opening no message.
    """
    found: list[MessageMeta] = []

    def on_fetch(response: Untagged) -> None:
        meta = _meta(response, identify)
        if meta is not None:
            found.append(meta)

    items = (
        b"(UID FLAGS INTERNALDATE RFC822.SIZE" + (b" " + FETCH_HEADERS if identify else b"") + b")"
    )
    await conn.run(
        "UID FETCH" if by_uid else "FETCH",
        [spec, items],
        handlers={"FETCH": on_fetch},
        error_class=FETCH_FAILED,
    )
    return found


def _meta(response: Untagged, identify: bool) -> MessageMeta | None:
    tokens = response.tokens()
    data = pairs(tokens[0]) if tokens and isinstance(tokens[0], list) else {}
    header = next((v for k, v in data.items() if k.startswith("BODY[HEADER.FIELDS")), None)
    if "UID" not in data or "INTERNALDATE" not in data or response.number is None:
        return None
    flags = data.get("FLAGS")
    return MessageMeta(
        seq=response.number,
        uid=as_int(data["UID"], "UID"),
        flags=tuple(as_text(f) for f in flags) if isinstance(flags, list) else (),
        internal_date=as_text(data["INTERNALDATE"]),
        size=as_int(data.get("RFC822.SIZE", "0"), "RFC822.SIZE"),
        identity=header_identity(_as_bytes(header)) if identify else None,
    )


def _as_bytes(token: Token) -> bytes:
    return token if isinstance(token, bytes) else b""


class _DigestSink:
    def __init__(self, digest: BodyDigest) -> None:
        self.digest = digest

    async def feed(self, chunk: bytes) -> None:
        self.digest.update(chunk)

    async def close(self, error: BaseException | None) -> None:
        return None


async def fetch_text_digests(conn: Connection, uids: Sequence[int]) -> dict[int, bytes]:
    """Digest of ``BODY[TEXT]`` per UID (for messages without Message-ID), streamed."""
    digests: dict[int, bytes] = {}
    streaming: dict[int, BodyDigest] = {}

    async def hook(number: int | None, parts: Sequence[bytes], size: int) -> LiteralSink | None:
        uid = _uid_in(parts)
        if uid is None or size <= STREAM_THRESHOLD:
            return None
        streaming[uid] = BodyDigest()
        return _DigestSink(streaming[uid])

    def on_fetch(response: Untagged) -> None:
        data = _fetch_data(response.tokens())
        uid = as_int(data.get("UID"), "UID") if "UID" in data else None
        text = data.get("BODY[TEXT]")
        if uid is None or "BODY[TEXT]" not in data:
            return
        digests[uid] = (
            streaming.pop(uid).digest() if isinstance(text, StreamedLiteral) else _digest(text)
        )

    if uids:
        await conn.run(
            "UID FETCH",
            [sequence_set(uids), b"(UID BODY.PEEK[TEXT])"],
            handlers={"FETCH": on_fetch},
            literal_hook=hook,
            error_class=FETCH_FAILED,
        )
    return digests


def _digest(text: Token) -> bytes:
    digest = BodyDigest()
    digest.update(text if isinstance(text, bytes) else b"")
    return digest.digest()


def _fetch_data(tokens: Sequence[Token]) -> dict[str, Token]:
    return pairs(tokens[0]) if tokens and isinstance(tokens[0], list) else {}


def _uid_in(parts: Sequence[bytes]) -> int | None:
    match = _UID.search(b" ".join(parts))
    return int(match.group(1)) if match else None


@dataclass(slots=True)
class FetchedBody:
    """A message body from the source: in memory when small, streamed when large."""

    uid: int
    size: int
    data: bytes | None = None
    stream: BodyStream | None = None

    def literal(self) -> LiteralArg:
        """The body as an APPEND literal."""
        if self.data is not None:
            return LiteralArg(self.size, self.data)
        if self.stream is None:
            raise ValueError(f"body of UID {self.uid} has neither data nor stream")
        return LiteralArg(self.size, self.stream)

    async def discard(self) -> None:
        """Drop an unread streamed body so the connection can go on."""
        if self.stream is not None:
            await self.stream.discard()


_DONE = object()


async def fetch_bodies(
    conn: Connection, uids: Sequence[int], seq_uids: dict[int, int] | None = None
) -> AsyncGenerator[FetchedBody, None]:
    """Yield the bodies of ``uids`` as the server sends them (read each before the next).

    ``seq_uids`` maps sequence numbers to UIDs, for servers that send UID after the body.
    """
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=8)
    fetch = asyncio.ensure_future(_fetch_into(conn, uids, seq_uids or {}, queue))
    finished = False
    try:
        while (item := await queue.get()) is not _DONE:
            if not isinstance(item, FetchedBody):
                raise TypeError(f"unexpected {item!r}")
            yield item
            await item.discard()
        finished = True
        await fetch
    finally:
        if not finished:
            fetch.cancel()
            conn.close()


async def _fetch_into(
    conn: Connection, uids: Sequence[int], seq_uids: dict[int, int], queue: asyncio.Queue[object]
) -> None:
    async def hook(number: int | None, parts: Sequence[bytes], size: int) -> LiteralSink | None:
        uid = _uid_in(parts) or seq_uids.get(number or 0)
        if uid is None or size <= STREAM_THRESHOLD:
            return None
        stream = BodyStream(size)
        await queue.put(FetchedBody(uid, size, stream=stream))
        return stream

    async def on_fetch(response: Untagged) -> None:
        data = _fetch_data(response.tokens())
        body = data.get("BODY[]")
        if isinstance(body, bytes):
            uid = as_int(data["UID"], "UID") if "UID" in data else seq_uids[response.number or 0]
            await queue.put(FetchedBody(uid, len(body), data=body))

    try:
        await conn.run(
            "UID FETCH",
            [sequence_set(uids), b"(UID BODY.PEEK[])"],
            handlers={"FETCH": on_fetch},
            literal_hook=hook,
            error_class=FETCH_FAILED,
        )
    except asyncio.CancelledError:
        # The consumer left (and closed the connection): nobody waits for the end marker.
        raise
    except BaseException:
        await queue.put(_DONE)
        raise
    await queue.put(_DONE)


def flag_list(flags: Sequence[str]) -> bytes:
    r"""``(\Seen $Forwarded)`` for APPEND: no ``\Recent``, nothing that is not a flag."""
    kept = [f for f in flags if f.lower() != "\\recent" and _FLAG.match(f)]
    return ("(" + " ".join(kept) + ")").encode("ascii", "replace")


async def append(
    conn: Connection,
    mailbox: bytes | LiteralArg,
    flags: Sequence[str],
    internal_date: bytes | None,
    size: int,
    data: bytes | AsyncIterable[bytes],
) -> Pending:
    """Send one APPEND (streaming the literal); return its pending completion."""
    args: list[bytes | LiteralArg] = [mailbox, flag_list(flags)]
    if internal_date is not None:
        args.append(internal_date)
    args.append(LiteralArg(size, data))
    return await conn.send("APPEND", args)
