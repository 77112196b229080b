"""Refused messages as a quarantine mbox and its per-item report (pure).

Operators see a run's quarantine as QuarantineRecorded: one item per message with a reason
(an error class) and the tar entry name in its detail; the bytes are in an mbox in the
artifacts object store, item ``index`` = position in that mbox. A refused entry the archive
held no bytes for (a ``.meta`` without content, an entry too large to hold) is kept as a short
note in its place, so that positions and items always match.

mbox flavour: mboxrd (``From `` lines in a message, with any ``>`` before them, gain one more
``>``), so the file reads back exactly; line ends are kept as Zimbra stored them.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from mailferry_contracts.mailboxes import QuarantineItem
from mailferry_runner_tgz.archive import Refusal
from mailferry_runner_tgz.folders import zimbra_path

MAX_LISTED_ITEMS = 1000
"""QuarantineRecorded lists at most this many items (an event must stay well under 1 MB);
``count`` is always the full number and the mbox holds them all."""
MAX_DETAIL = 400
_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_REASONS = {
    "TOO_LARGE": "file_not_supported",
    "UNSUPPORTED_VERSION": "file_not_supported",
}
"""Zimbra's refusal codes -> error classes; every other code means a damaged entry."""
DAMAGED = "file_unreadable"


@dataclass(frozen=True)
class Quarantined:
    """One message for the quarantine: its mbox record and its report item."""

    record: bytes
    item: QuarantineItem


def reason_of(code: str) -> str:
    """The error class of a reader refusal code (``MISMATCHED_SIZE`` -> ``file_unreadable``)."""
    return _REASONS.get(code, DAMAGED)


def refused_entry(refusal: Refusal, index: int) -> Quarantined:
    """A message the reader refused, at position ``index`` of the run's quarantine mbox."""
    problem = refusal.problem
    data = refusal.data if refusal.data is not None else note(problem.entry, problem.line())
    date = datetime.fromtimestamp(refusal.date, UTC) if refusal.date > 0 else None
    item = QuarantineItem(
        index=index,
        folder=zimbra_path(refusal.folder),
        subject=refusal.subject,
        date=date,
        size_bytes=len(refusal.data) if refusal.data is not None else 0,
        reason=reason_of(problem.code),
        detail=clip(problem.line()),
    )
    return Quarantined(mbox_record(data, date), item)


def rejected_upload(
    raw: bytes,
    index: int,
    *,
    folder: str,
    subject: str,
    date: datetime | None,
    error_class: str,
    detail: str,
) -> Quarantined:
    """A message the destination refused (APPEND failed)."""
    item = QuarantineItem(
        index=index,
        folder=folder,
        subject=subject,
        date=date,
        size_bytes=len(raw),
        reason=error_class,
        detail=clip(detail),
    )
    return Quarantined(mbox_record(raw, date), item)


def mbox_record(raw: bytes, date: datetime | None) -> bytes:
    """One mboxrd record: the ``From `` separator, the quoted message, a blank line."""
    stamp = (date or datetime(1970, 1, 1, tzinfo=UTC)).strftime("%a %b %d %H:%M:%S %Y")
    body = _FROM_LINE.sub(rb">\1", raw)
    if not body.endswith(b"\n"):
        body += b"\n"
    return b"From MAILER-DAEMON " + stamp.encode() + b"\n" + body + b"\n"


def note(entry: str, line: str) -> bytes:
    """A stand-in message for an entry whose bytes are not in the archive."""
    safe_entry, safe_line = _UNSAFE.sub("_", entry), _UNSAFE.sub("_", line)
    return (
        "From: mailferry <quarantine@mailferry.invalid>\r\n"
        f"Subject: [no content in the archive] {safe_entry[:200]}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"{safe_line}\r\n"
        "The Zimbra archive held no usable content for this item.\r\n"
    ).encode()


def clip(text: str) -> str:
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 3] + "..."
