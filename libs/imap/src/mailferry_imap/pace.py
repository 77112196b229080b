"""A ceiling on messages per second for one run, shared by all its connections.

Operators slow a migration down to spare a fragile or rate-limited source server (imapsync's
``--maxmessagespersecond``); the same ceiling holds for the native engine.
"""

import asyncio
import time


class Pace:
    """``await pace.next()`` before each message; ``rate`` 0 means no ceiling."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next_slot = 0.0

    async def next(self) -> None:
        if self._interval == 0.0:
            return
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)
