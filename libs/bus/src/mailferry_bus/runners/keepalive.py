"""Do something on an interval while a block runs: message leases, slot renewals, flushes."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from nats.aio.msg import Msg

from mailferry_bus.cancellation import raise_if_cancelled

log = logging.getLogger(__name__)


@asynccontextmanager
async def every(interval_s: float, tick: Callable[[], Awaitable[None]]) -> AsyncIterator[None]:
    """Call ``tick`` every ``interval_s`` until the block exits; a failing tick is logged.

    The ticks stop when the block exits, even when the stop meets a tick's reply (a lost
    cancel on Python 3.11, see ``mailferry_bus.cancellation``): a heartbeat that outlived its
    run renewed the run's concurrency slots forever and stalled the job. Waiting for the loop
    never swallows a cancellation of the block's own task.
    """
    task = asyncio.create_task(_loop(interval_s, tick))
    try:
        yield
    finally:
        task.cancel()
        try:
            await asyncio.wait({task})
        finally:
            task.cancel()  # no-op once done; stops it if we were cancelled while waiting


@asynccontextmanager
async def keep_alive(msg: Msg, interval_s: float) -> AsyncIterator[None]:
    """Keep a JetStream message leased (``+WPI``) while the block works on it.

    Without it a run longer than the consumer's ack_wait would be redelivered to another
    runner while this one is still copying.
    """
    async with every(interval_s, msg.in_progress):
        yield


async def _loop(interval_s: float, tick: Callable[[], Awaitable[None]]) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await tick()
        except Exception:  # the block itself decides what a missed beat means
            log.warning("periodic %s failed", getattr(tick, "__name__", tick), exc_info=True)
        raise_if_cancelled()
