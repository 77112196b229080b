"""Merging a burst of signals into a few updates per second (pure; the clock is passed in).

Each browser connection owns one ``Coalescer``. Progress keeps only the latest report per
mailbox; events keep, per job, the event types and the highest sequence. Events are handed
out only once the projector has applied their sequence, so that a browser re-reading the read
models sees what the event changed.
"""

from dataclasses import dataclass, field

from mailferry_api.realtime.signals import EventSignal, ProgressSignal


@dataclass(frozen=True)
class Batch:
    """What to send in one update."""

    progress: list[ProgressSignal]
    changed: dict[str, frozenset[str]]
    """Job id -> types of the events applied to the read models since the last update."""
    position: int
    """The projector's position the update was decided at."""


@dataclass
class _Held:
    seq: int = 0
    types: set[str] = field(default_factory=set)


class Coalescer:
    """Signals not sent yet, released at most once per ``interval_s``."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._progress: dict[str, ProgressSignal] = {}
        self._events: dict[str, _Held] = {}
        self._sent_at: float | None = None

    def add(self, signal: EventSignal | ProgressSignal) -> None:
        """Merge one signal."""
        if isinstance(signal, ProgressSignal):
            known = self._progress.get(signal.mailbox_id)
            if known is None or known.at <= signal.at:
                self._progress[signal.mailbox_id] = signal
            return
        held = self._events.setdefault(signal.job_id, _Held())
        held.seq = max(held.seq, signal.seq)
        held.types.add(signal.type)

    @property
    def pending(self) -> bool:
        """Whether anything waits to be sent."""
        return bool(self._progress or self._events)

    @property
    def waits_for_projection(self) -> bool:
        """Whether events wait (the caller must know the projector's position)."""
        return bool(self._events)

    @property
    def newest_event(self) -> int:
        """The highest sequence of the events waiting (0: none)."""
        return max((held.seq for held in self._events.values()), default=0)

    def delay(self, now: float) -> float:
        """Seconds until the next update may go."""
        if self._sent_at is None:
            return 0.0
        return max(0.0, self._sent_at + self.interval_s - now)

    def take(self, projected: int, now: float) -> Batch | None:
        """The update to send now (None: nothing is ready), or None before the interval."""
        if self.delay(now) > 0:
            return None
        ready = {job: held for job, held in self._events.items() if held.seq <= projected}
        if not self._progress and not ready:
            return None
        for job in ready:
            del self._events[job]
        batch = Batch(
            progress=list(self._progress.values()),
            changed={job: frozenset(held.types) for job, held in ready.items()},
            position=projected,
        )
        self._progress = {}
        self._sent_at = now
        return batch
