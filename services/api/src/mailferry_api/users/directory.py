"""The directory every API process keeps in memory, fed live from the user aggregates.

An ordered push consumer on ``migration.events.user.>`` applies each event as it is appended,
so a user disabled or a token revoked through any process (or the CLI) stops authenticating
everywhere within milliseconds, and authenticating costs no I/O. Startup waits until the
directory has caught up with the log, so no valid caller is refused right after a restart.
"""

import asyncio
import logging
from typing import Any

from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy

from mailferry_api.users.admin import USERS, user_events_head
from mailferry_api.users.state import Directory
from mailferry_bus import Bus
from mailferry_contracts import UndecodableMessageError, decode, subjects

log = logging.getLogger(__name__)


class LiveDirectory:
    """``current`` is the fold of every user event delivered so far."""

    def __init__(self) -> None:
        self.current = Directory()
        self._moved = asyncio.Event()
        self._subscription: Any = None

    async def start(self, bus: Bus, wait_s: float = 30.0) -> None:
        """Subscribe from the start of the log and wait until caught up with its head."""
        head = await user_events_head(bus)
        self._subscription = await bus.js.subscribe(
            USERS,
            stream=subjects.EVENTS_STREAM,
            cb=self._on_message,
            ordered_consumer=True,
            deliver_policy=DeliverPolicy.ALL,
        )
        await self.wait_for(head, wait_s)

    async def _on_message(self, msg: Msg) -> None:
        sequence = msg.metadata.sequence.stream
        try:
            envelope = decode(msg.data)
        except UndecodableMessageError as exc:
            log.warning("user event at seq %s not understood: %s", sequence, exc)
            self.current.position = max(self.current.position, sequence)
        else:
            self.current.apply(envelope, sequence)
        self._moved.set()

    async def wait_for(self, position: int, wait_s: float = 10.0) -> None:
        """Return once the events up to ``position`` are applied (TimeoutError otherwise)."""
        async with asyncio.timeout(wait_s):
            while self.current.position < position:
                self._moved.clear()
                await self._moved.wait()

    async def stop(self) -> None:
        """Stop following the log."""
        if self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None
