"""Progress throttle (pure, clock passed in): a few updates per second, never losing the last."""

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Throttle(Generic[T]):
    """Let an item through at most once per ``interval_s``; keep the latest one held back.

    ``offer`` returns what to publish now (or ``None``); ``due`` releases a held item once its
    interval has passed even when no newer item arrives; ``flush`` releases it at the end.
    """

    interval_s: float = 0.25
    _last_sent: float | None = None
    _pending: T | None = field(default=None)

    def offer(self, item: T, now: float) -> T | None:
        if self._last_sent is None or now - self._last_sent >= self.interval_s:
            self._last_sent = now
            self._pending = None
            return item
        self._pending = item
        return None

    def due(self, now: float) -> T | None:
        if self._pending is None or self._last_sent is None:
            return None
        if now - self._last_sent < self.interval_s:
            return None
        return self.flush(now)

    def flush(self, now: float | None = None) -> T | None:
        item, self._pending = self._pending, None
        if item is not None and now is not None:
            self._last_sent = now
        return item
