"""The uploader's progress ticks as the runner machinery's ``Progress`` (pure: time passed in)."""

from mailferry_bus.runners import Progress
from mailferry_imap import Progress as UploadProgress


def run_progress(tick: UploadProgress, elapsed_s: float) -> Progress:
    """Counters of the run so far, with rates and an estimate of the time left."""
    rate = tick.done / elapsed_s if elapsed_s > 0 else 0.0
    rate_bytes = tick.bytes_done / elapsed_s if elapsed_s > 0 else 0.0
    left = max(0, tick.total - tick.done)
    eta = left / rate if rate > 0 and tick.total else None
    return Progress(
        messages_done=tick.done,
        messages_total=tick.total or None,
        folder=tick.folder,
        bytes_done=tick.bytes_done,
        rate_messages=rate,
        rate_bytes=rate_bytes,
        eta_seconds=eta,
    )
