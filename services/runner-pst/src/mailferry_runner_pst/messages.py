"""One message ready for IMAP APPEND: bytes, flags, internal date, folder (pure).

Decisions:
- ``Status``/``X-Status`` headers are read for flags, then removed from the top-level header:
  they are mbox bookkeeping, not mail, and keeping them would make the same message's bytes
  differ between an export before and after it was read (identity must not depend on that).
- Line endings become CRLF (IMAP's wire form), so the bytes do not depend on the file's flavour.
- readpst draws its MIME boundaries from ``rand()`` seeded with the clock, so two extractions
  of one PST differ in those bytes only; ``stable_readpst_boundaries`` replaces each with a
  value derived from the message itself, making readpst's output byte-identical across reruns.
- The internal date comes from ``Date:``, else the newest ``Received:`` header, else the From_
  line unless it is readpst's 1970 placeholder; with none of them it stays None (server time).
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime

from mailferry_runner_pst.folders import FolderTarget

SEEN = "\\Seen"
ANSWERED = "\\Answered"
FLAGGED = "\\Flagged"
DRAFT = "\\Draft"
_X_STATUS_FLAGS = {"A": ANSWERED, "F": FLAGGED, "T": DRAFT}
_EARLIEST_YEAR = 1971  # readpst writes 1970-01-01 when it has no date
_STATUS_HEADER = re.compile(rb"^(status|x-status):", re.IGNORECASE)
_ASCTIME = "%a %b %d %H:%M:%S %Y"
_HEADER_END = re.compile(rb"\n\r?\n")
_LIBPST_BOUNDARY = re.compile(rb"(boundary-LibPST-iamunique-)(-?\d+)(_-_-)")


@dataclass(frozen=True)
class LocalMessage:
    """What the IMAP uploader needs for one message; ``origin`` names it in reports."""

    raw: bytes
    flags: frozenset[str]
    internal_date: datetime | None
    source_folder: tuple[str, ...]
    target: FolderTarget
    origin: str


@dataclass(frozen=True)
class PreparedMessage:
    """A message's APPEND bytes with the flags and date read from it."""

    raw: bytes
    flags: frozenset[str]
    internal_date: datetime | None


def prepare(data: bytes, from_line: bytes = b"", *, from_readpst: bool = False) -> PreparedMessage:
    """Flags and date from the headers; Status headers dropped; CRLF line endings."""
    if from_readpst:
        data = stable_readpst_boundaries(data)
    head, separator, body = _split_head(data)
    headers = BytesHeaderParser(policy=compat32).parsebytes(head)
    kept = b"".join(_without_status(head.splitlines(keepends=True)))
    raw = (kept + separator + body).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return PreparedMessage(raw, flags_of(headers), internal_date_of(headers, from_line))


def stable_readpst_boundaries(data: bytes) -> bytes:
    """Replace readpst's random boundary numbers by ones derived from the message's content."""
    order: dict[bytes, int] = {}
    for match in _LIBPST_BOUNDARY.finditer(data):
        order.setdefault(match.group(2), len(order))
    if not order:
        return data
    skeleton = _LIBPST_BOUNDARY.sub(lambda m: b"%s%d%s" % (m[1], order[m[2]], m[3]), data)
    digest = hashlib.sha256(skeleton).hexdigest()[:16].encode()
    return _LIBPST_BOUNDARY.sub(lambda m: b"%s%s-%d%s" % (m[1], digest, order[m[2]], m[3]), data)


def _split_head(data: bytes) -> tuple[bytes, bytes, bytes]:
    match = _HEADER_END.search(data)
    if match is None:
        return data, b"", b""
    return data[: match.start() + 1], data[match.start() + 1 : match.end()], data[match.end() :]


def _without_status(lines: Iterable[bytes]) -> Iterable[bytes]:
    dropping = False
    for line in lines:
        if line[:1] in (b" ", b"\t") and dropping:
            continue
        dropping = bool(_STATUS_HEADER.match(line))
        if not dropping:
            yield line


def flags_of(headers: Message) -> frozenset[str]:
    r"""``Status: R``/``RO`` -> \Seen; ``X-Status`` A/F/T -> \Answered/\Flagged/\Draft."""
    flags = set()
    if "R" in _letters(headers.get("Status")):
        flags.add(SEEN)
    x_status = _letters(headers.get("X-Status"))
    flags.update(flag for letter, flag in _X_STATUS_FLAGS.items() if letter in x_status)
    return frozenset(flags)


def _letters(value: object) -> str:
    words = str(value or "").split()
    return words[0].upper() if words else ""


def internal_date_of(headers: Message, from_line: bytes = b"") -> datetime | None:
    """The message's own date: Date, else the newest Received, else a real From_ date."""
    candidates = [str(headers.get("Date", ""))]
    received = headers.get_all("Received") or []
    if received:
        candidates.append(str(received[0]).rsplit(";", 1)[-1])
    for text in candidates:
        parsed = _parse_rfc2822(text)
        if parsed is not None:
            return parsed
    return _from_line_date(from_line)


def _parse_rfc2822(text: str) -> datetime | None:
    text = " ".join(text.split())
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if parsed.year >= _EARLIEST_YEAR else None


def _from_line_date(from_line: bytes) -> datetime | None:
    words = from_line.decode("ascii", errors="replace").split()
    if len(words) < 6:  # noqa: PLR2004 - "From" sender + 5 asctime fields
        return None
    try:
        parsed = datetime.strptime(" ".join(words[-5:]), _ASCTIME).replace(tzinfo=UTC)
    except ValueError:
        return None
    return parsed if parsed.year >= _EARLIEST_YEAR else None
