"""Log chunks -> lines (pure): attempt markers, the tail, SSE-safe text."""

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    """One stored chunk of a run's log: newline-terminated lines of one attempt."""

    sequence: int
    attempt: int
    text: str


def attempt_marker(attempt: int) -> str:
    """The line put before the first chunk of a retried attempt."""
    return f"--- attempt {attempt} ---"


class LineSplitter:
    """Chunks -> lines, with a marker line whenever the attempt changes after the first."""

    def __init__(self) -> None:
        self._attempt: int | None = None

    def lines(self, chunk: Chunk) -> list[str]:
        out = []
        if chunk.attempt != self._attempt and (self._attempt is not None or chunk.attempt > 1):
            out.append(attempt_marker(chunk.attempt))
        self._attempt = chunk.attempt
        out.extend(chunk.text.splitlines())
        return out


def tail(chunks: Iterable[Chunk], count: int) -> tuple[list[str], int]:
    """The last ``count`` lines and how many lines the log has in all."""
    splitter = LineSplitter()
    kept: deque[str] = deque(maxlen=count)
    total = 0
    for chunk in chunks:
        lines = splitter.lines(chunk)
        total += len(lines)
        kept.extend(lines)
    return list(kept), total
