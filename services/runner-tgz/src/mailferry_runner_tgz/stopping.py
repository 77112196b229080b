"""How a run ends early: a refusal with an error class, or a stop from outside (pure asyncio)."""

import asyncio
from collections.abc import Awaitable
from contextlib import suppress
from typing import Any, TypeVar

T = TypeVar("T")
CANCEL_GRACE_S = 5.0
"""How long a cancelled run may take to let go (SSH is aborted at once; files are closed)."""


class RefusedError(Exception):
    """A run that cannot go on; ``error_class`` is from the contracts' vocabulary."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message


async def until_cancelled(work: Awaitable[T], cancel: asyncio.Event) -> T:
    """``work``'s result, unless ``cancel`` is set first (shutdown, lost lease)."""
    task: asyncio.Future[T] = asyncio.ensure_future(work)
    stop = asyncio.create_task(cancel.wait())
    either: set[asyncio.Future[Any]] = {task, stop}
    try:
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not task.done():
            task.cancel()
            # SSH sessions abort their connection when cancelled; this only bounds the rest.
            await asyncio.wait({task}, timeout=CANCEL_GRACE_S)
            task.add_done_callback(_consume)
    if not task.done() or task.cancelled():
        raise RefusedError("cancelled", "the run was stopped")
    return task.result()


def _consume(task: "asyncio.Future[Any]") -> None:
    with suppress(asyncio.CancelledError, Exception):
        task.exception()
