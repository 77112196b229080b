"""Events already read and decoded, kept per subject filter for the next read of it.

The log is immutable (deny delete, deny purge) and its sequences only grow, so the events of a
filter up to a sequence never change once read: the next read of the same aggregate fetches
and decodes only what came after. Decoding a job's whole history on every request was most of
the time the API and the dispatcher spent on one (and it grows with the job). Bounded by the
size of the stored bytes; the least recently read aggregates go first.
"""

from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailferry_bus.event_store import StoredEvent

DEFAULT_MAX_BYTES = 16 * 1024 * 1024


class ReadCache:
    """Least-recently-used decoded events per subject filter."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[list[StoredEvent], int]] = OrderedDict()
        self._bytes = 0

    def get(self, subject_filter: str) -> list["StoredEvent"]:
        """The events known for ``subject_filter`` (oldest first), or none."""
        entry = self._entries.get(subject_filter)
        if entry is None:
            return []
        self._entries.move_to_end(subject_filter)
        return entry[0]

    def put(self, subject_filter: str, events: Sequence["StoredEvent"]) -> None:
        """Remember ``events``: every event of the filter up to the last one's sequence."""
        self._drop(subject_filter)
        size = sum(len(e.raw) for e in events)
        if size > self._max_bytes:
            return
        self._entries[subject_filter] = (list(events), size)
        self._bytes += size
        while self._bytes > self._max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, subject_filter: str) -> None:
        entry = self._entries.pop(subject_filter, None)
        if entry is not None:
            self._bytes -= entry[1]
