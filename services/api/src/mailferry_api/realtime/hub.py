"""One pair of NATS subscriptions per API process, fanned out to every open live stream.

The subscriptions are ordered consumers that start at "new": a live view asks for a snapshot
when it connects (REST), then only needs what happens next. They exist while at least one
browser listens. A listener never blocks the hub: it merges what it is offered into its own
``Coalescer`` and is woken.
"""

import asyncio
import logging
from collections.abc import Callable

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy

from mailferry_api.realtime.coalesce import Coalescer
from mailferry_api.realtime.signals import (
    EventSignal,
    ProgressSignal,
    event_signal,
    progress_signal,
)
from mailferry_contracts import subjects

log = logging.getLogger(__name__)
Signal = EventSignal | ProgressSignal


class Listener:
    """One live stream: which jobs it wants, what it has not sent yet, and its wake-up."""

    def __init__(self, wants: Callable[[str], bool], interval_s: float) -> None:
        self.wants = wants
        self.coalescer = Coalescer(interval_s)
        self.wake = asyncio.Event()

    def offer(self, signal: Signal) -> None:
        """Merge ``signal`` if it concerns this stream."""
        if self.wants(signal.job_id):
            self.coalescer.add(signal)
            self.wake.set()


class Hub:
    """Subscribes while someone listens; hands each signal to every listener."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self._listeners: set[Listener] = set()
        self._subscriptions: list[JetStreamContext.PushSubscription] = []
        self._lock = asyncio.Lock()

    async def join(self, listener: Listener) -> None:
        """Start delivering to ``listener`` (subscribing first if nobody listened)."""
        async with self._lock:
            if not self._subscriptions:
                await self._subscribe()
            self._listeners.add(listener)

    async def leave(self, listener: Listener) -> None:
        """Stop delivering to ``listener`` (unsubscribing when nobody is left)."""
        async with self._lock:
            self._listeners.discard(listener)
            if not self._listeners:
                await self._unsubscribe()

    def _offer(self, signal: Signal | None) -> None:
        if signal is None:
            return
        for listener in tuple(self._listeners):
            listener.offer(signal)

    async def _on_event(self, msg: Msg) -> None:
        self._offer(event_signal(msg.data, msg.metadata.sequence.stream))

    async def _on_progress(self, msg: Msg) -> None:
        self._offer(progress_signal(msg.data))

    async def _subscribe(self) -> None:
        for subject, stream, handler in (
            (subjects.all_events(), subjects.EVENTS_STREAM, self._on_event),
            (subjects.all_progress(), subjects.PROGRESS_STREAM, self._on_progress),
        ):
            sub = await self.js.subscribe(
                subject,
                stream=stream,
                cb=handler,
                ordered_consumer=True,
                deliver_policy=DeliverPolicy.NEW,
            )
            self._subscriptions.append(sub)

    async def _unsubscribe(self) -> None:
        subscriptions, self._subscriptions = self._subscriptions, []
        for sub in subscriptions:
            try:
                await sub.unsubscribe()
            except Exception as exc:  # a closed connection must not fail a leave
                log.debug("unsubscribe failed: %s", exc)
