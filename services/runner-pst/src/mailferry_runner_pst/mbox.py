"""Split an mbox stream into messages, undoing mboxrd ``>From `` quoting (pure).

Works on an iterable of lines (bytes, line endings kept), so a file is read line by line and
only the current message is held. Every line that starts with ``From `` separates messages;
inside a message, a line matching ``>+From `` loses exactly one ``>`` (mboxrd). Plain mboxo
files quote only ``From `` itself, so the same rule restores them too; only a body line that
originally began with ``>From `` in an mboxo file changes, which mboxo cannot represent anyway.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_QUOTED_FROM = re.compile(rb"^>+From ")
DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024 * 1024


class MboxFormatError(ValueError):
    """The stream is not an mbox (it does not start with a From_ line)."""


@dataclass(frozen=True)
class RawMessage:
    """One message as stored: its From_ line and its bytes (unquoted, separator dropped).

    ``oversized`` messages carry no data: they exceeded the size limit and were skipped, so the
    caller can report (quarantine) them by ``index`` and ``line`` instead of holding them.
    """

    index: int
    line: int
    from_line: bytes
    data: bytes
    oversized: bool = False


def split_mbox(
    lines: Iterable[bytes], max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> Iterator[RawMessage]:
    """Yield the messages of an mbox stream in order."""
    current: _Builder | None = None
    index = 0
    for number, line in enumerate(lines, start=1):
        if line.startswith(b"From "):
            if current is not None:
                yield current.build()
            current = _Builder(index, number, line.rstrip(b"\r\n"), max_message_bytes)
            index += 1
        elif current is not None:
            current.add(line)
        elif line.strip():
            raise MboxFormatError(f"line {number}: not an mbox (expected a 'From ' line)")
    if current is not None:
        yield current.build()


class _Builder:
    def __init__(self, index: int, line: int, from_line: bytes, limit: int) -> None:
        self._index, self._line, self._from_line, self._limit = index, line, from_line, limit
        self._parts: list[bytes] = []
        self._size = 0
        self._oversized = False

    def add(self, line: bytes) -> None:
        if self._oversized:
            return
        # Most lines cannot be quoted From_ lines; the first byte says so without a regex.
        if line[:1] == b">" and _QUOTED_FROM.match(line):
            line = line[1:]
        self._size += len(line)
        if self._size > self._limit:
            self._oversized, self._parts = True, []
            return
        self._parts.append(line)

    def build(self) -> RawMessage:
        # The blank line before the next From_ belongs to the mbox, not to the message.
        if self._parts and self._parts[-1] in (b"\n", b"\r\n"):
            self._parts.pop()
        data = b"".join(self._parts)
        return RawMessage(self._index, self._line, self._from_line, data, self._oversized)
