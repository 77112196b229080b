"""One merged log stream: every line of every process, prefixed with the name it came from."""

import zlib
from dataclasses import dataclass
from typing import TextIO

_PALETTE = ("36", "32", "35", "33", "34", "96", "92", "95")
_RESET = "\x1b[0m"


def decode_line(raw: bytes) -> str:
    """A line as read from a pipe, without its line ending; undecodable bytes are replaced."""
    return raw.rstrip(b"\r\n").decode("utf-8", errors="replace")


@dataclass(frozen=True)
class LogFormat:
    """``name | text`` with names padded to one width, colored on a terminal."""

    width: int
    color: bool = False

    @classmethod
    def for_names(cls, names: list[str], *, color: bool) -> "LogFormat":
        return cls(width=max(map(len, names), default=0), color=color)

    def format(self, name: str, text: str) -> str:
        prefix = f"{name:<{self.width}} |"
        if self.color:
            code = _PALETTE[zlib.crc32(name.encode()) % len(_PALETTE)]
            prefix = f"\x1b[{code}m{prefix}{_RESET}"
        return f"{prefix} {text}" if text else prefix


class LogSink:
    """Writes formatted lines to one stream, flushed so that a pipe reader sees them at once."""

    def __init__(self, stream: TextIO, fmt: LogFormat) -> None:
        self._stream = stream
        self._format = fmt

    def write(self, name: str, text: str) -> None:
        self._stream.write(self._format.format(name, text) + "\n")
        self._stream.flush()
