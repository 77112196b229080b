"""One message from an archive, in the shape the shared IMAP uploader takes (pure).

The uploader (``mailferry_imap``) iterates local messages that expose ``folder`` (a
``/``-separated local folder it maps like a source folder), ``flags``, ``internal_date``,
``size``, ``ref`` and ``chunks()``; this dataclass has exactly those, plus where the message
came from in Zimbra's terms.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesHeaderParser

from mailferry_runner_tgz.folders import imap_target


@dataclass(frozen=True)
class ArchiveMessage:
    """A message read from a Zimbra TGZ.

    ``folder`` is the IMAP-side local folder (``INBOX/Projects``, ``Sent``); ``special_use`` is
    set for a top-level system folder; ``source_folder`` is the Zimbra path; ``ref`` is the tar
    entry name, for reports.
    """

    folder: str
    raw: bytes
    flags: tuple[str, ...]
    internal_date: datetime | None
    source_folder: tuple[str, ...]
    special_use: str | None
    ref: str

    @property
    def size(self) -> int:
        return len(self.raw)

    async def chunks(self) -> AsyncIterator[bytes]:
        yield self.raw


def archive_message(
    source_folder: tuple[str, ...],
    raw: bytes,
    flags: tuple[str, ...],
    date_seconds: int,
    ref: str,
) -> ArchiveMessage:
    """Build a message; a date of 0 or less means unknown (the server then uses its own)."""
    target = imap_target(source_folder)
    return ArchiveMessage(
        folder=target.folder,
        raw=raw,
        flags=flags,
        internal_date=datetime.fromtimestamp(date_seconds, UTC) if date_seconds > 0 else None,
        source_folder=source_folder,
        special_use=target.special_use,
        ref=ref,
    )


HEADER_SCAN_BYTES = 64 * 1024


def subject_of(raw: bytes | None) -> str:
    """The decoded ``Subject`` of a raw message; empty when absent or unreadable."""
    if not raw:
        return ""
    try:
        headers = BytesHeaderParser(policy=policy.default).parsebytes(raw[:HEADER_SCAN_BYTES])
        return " ".join(str(headers.get("subject", "") or "").split())
    except (ValueError, TypeError, LookupError, AttributeError):
        return ""
