"""The native engine's progress ticks -> the runner's ``Progress`` with rate and ETA (pure).

The engine counts messages and bytes; rate and ETA come from the time since the copy began,
which the caller measures and passes in. The ETA uses bytes when the total is known (a folder
of large attachments takes longer per message than one of short notes), messages otherwise.
"""

from mailferry_bus.runners import Progress
from mailferry_imap import Progress as Tick


def to_progress(tick: Tick, elapsed_s: float) -> Progress:
    """One engine tick as the progress a RunProgress reports."""
    rate_messages = tick.done / elapsed_s if elapsed_s > 0 else 0.0
    rate_bytes = tick.bytes_done / elapsed_s if elapsed_s > 0 else 0.0
    return Progress(
        messages_done=tick.done,
        messages_total=tick.total,
        folder=tick.folder,
        bytes_done=tick.bytes_done,
        rate_messages=rate_messages,
        rate_bytes=rate_bytes,
        eta_seconds=_eta(tick, rate_messages, rate_bytes),
    )


def _eta(tick: Tick, rate_messages: float, rate_bytes: float) -> float | None:
    if tick.bytes_total > 0 and rate_bytes > 0:
        return max(0.0, tick.bytes_total - tick.bytes_done) / rate_bytes
    if rate_messages > 0:
        return max(0, tick.total - tick.done) / rate_messages
    return None
