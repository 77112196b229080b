"""Errors of the bus layer; each says what to do about it."""


class NatsServerTooOldError(RuntimeError):
    """The NATS server lacks features mailferry relies on (it would silently ignore them)."""


class TopologyMismatchError(RuntimeError):
    """A stream exists but the server did not keep a setting mailferry requires."""


class ConcurrencyConflictError(RuntimeError):
    """Another writer appended to the aggregate first; reload and decide again, or give up."""

    def __init__(self, subject_filter: str, expected: int, detail: str = "") -> None:
        super().__init__(
            f"concurrent write on {subject_filter}: expected last sequence {expected} {detail}"
        )
        self.subject_filter = subject_filter
        self.expected = expected


class AppendRejectedError(RuntimeError):
    """JetStream refused an append for a reason other than a concurrency conflict."""
