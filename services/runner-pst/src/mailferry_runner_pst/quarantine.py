"""Messages that did not reach the destination: the run's quarantine (pure).

Each entry becomes one record of the run's quarantine mbox (mboxrd, like readpst's output) and
one ``QuarantineItem`` of ``QuarantineRecorded``. The record keeps the message byte for byte
below ``X-Mailferry-Quarantine-*`` headers that say why it is there; a message that could not
be read at all (over the size limit, a corrupt zip entry) is a short text record naming it.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header, decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

from mailferry_contracts.mailboxes import QuarantineItem
from mailferry_runner_pst.messages import internal_date_of

FILE_UNREADABLE = "file_unreadable"
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MBOXRD_FROM = re.compile(rb"^(>*From )", re.MULTILINE)
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
_DETAIL_LIMIT = 1000
_PLACEHOLDER_DATE = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class QuarantineEntry:
    """One message for the quarantine: where it was going, why it is here, its bytes."""

    folder: str
    reason: str
    detail: str
    origin: str
    data: bytes | None
    size: int


def unreadable(folder: str, origin: str, detail: str, size: int) -> QuarantineEntry:
    """A message that could not be read from the upload (its bytes are not kept)."""
    return QuarantineEntry(folder, FILE_UNREADABLE, detail, origin, None, size)


def item_of(entry: QuarantineEntry, index: int) -> QuarantineItem:
    """The listing of one entry (subject and date read from its header)."""
    headers = _headers(entry.data)
    return QuarantineItem(
        index=index,
        folder=entry.folder,
        subject=_subject(headers) if headers is not None else f"(unreadable: {entry.origin})",
        date=internal_date_of(headers) if headers is not None else None,
        size_bytes=entry.size,
        reason=entry.reason,
        detail=_one_line(entry.detail)[:_DETAIL_LIMIT],
    )


def mbox_record(entry: QuarantineEntry) -> bytes:
    """The entry as one mboxrd record: From_ line, quarantine headers, the message, blank line."""
    headers = _headers(entry.data)
    date = internal_date_of(headers) if headers is not None else None
    stamp = (date or _PLACEHOLDER_DATE).astimezone(UTC).strftime("%a %b %d %H:%M:%S %Y")
    marks = [
        ("X-Mailferry-Quarantine-Reason", entry.reason),
        ("X-Mailferry-Quarantine-Detail", entry.detail),
        ("X-Mailferry-Quarantine-Folder", entry.folder),
        ("X-Mailferry-Quarantine-Origin", entry.origin),
    ]
    head = b"".join(_header_line(name, value) for name, value in marks)
    body = entry.data if entry.data is not None else _stub(entry)
    body = _MBOXRD_FROM.sub(rb">\1", body.replace(b"\r\n", b"\n"))
    if not body.endswith(b"\n"):
        body += b"\n"
    return b"From mailferry-quarantine " + stamp.encode() + b"\n" + head + body + b"\n"


def _headers(data: bytes | None) -> Message | None:
    if data is None:
        return None
    match = _HEADER_END.search(data)
    block = data[: match.end()] if match else data
    return BytesHeaderParser(policy=compat32).parsebytes(block)


def _subject(headers: Message) -> str:
    raw = headers.get("Subject")
    if raw is None:
        return ""
    try:
        return _one_line(str(make_header(decode_header(str(raw)))))
    except (ValueError, LookupError, UnicodeError):
        return _one_line(str(raw))


def _one_line(text: str) -> str:
    return " ".join(_LINE_BREAKS.sub(" ", text).split())


def _header_line(name: str, value: str) -> bytes:
    text = _one_line(value)
    if text.isascii():
        return f"{name}: {text}\n".encode()
    return f"{name}: {Header(text, 'utf-8', header_name=name).encode()}\n".encode()


def _stub(entry: QuarantineEntry) -> bytes:
    subject = _header_line("Subject", f"unreadable message: {entry.origin}")
    text = f"The message {entry.origin} could not be read from the upload.\n{entry.detail}\n"
    head = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    return subject + head.encode() + text.encode()
