"""A cancellation that Python 3.11 lost is still a cancellation.

On 3.11, ``asyncio.wait_for`` returns the awaited result when it arrives in the same loop
iteration as a ``cancel()``, and the cancellation is gone (bpo-42130; 3.12 rebuilt ``wait_for``
on ``asyncio.timeout``). nats-py waits for every message that way, so a service cancelled while
a message arrives would run on, and whoever awaits its stop would wait forever. The request is
still counted by ``Task.cancelling()``: a loop that checks it once a round stops anyway.
"""

import asyncio


def raise_if_cancelled() -> None:
    """Raise ``CancelledError`` if the current task was cancelled but is still running."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
