"""Wiring: ``create_app(settings)`` builds the gate from a Settings instance."""

import asyncio
import logging
import random
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from mailferry_bus import Bus, open_bus, utc_now
from mailferry_bus.health import HealthServer
from mailferry_contracts import subjects
from mailferry_gate.adapters.lease import LeaderLease
from mailferry_gate.adapters.webhook_client import WebhookClient
from mailferry_gate.leader import Leadership
from mailferry_gate.service import GateSession, Tools
from mailferry_gate.settings import Settings
from mailferry_gate.state import State

log = logging.getLogger(__name__)


@dataclass
class Edges:
    """Time and chance, replaceable in tests."""

    clock: Callable[[], datetime] = utc_now
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    jitter: Callable[[], float] = random.random


class GateApp:
    """The gate service: start, stop, and what tests look at."""

    def __init__(self, settings: Settings, edges: Edges) -> None:
        self.settings = settings
        self._edges = edges
        self._bus: Bus | None = None
        self._http: WebhookClient | None = None
        self._leadership: Leadership | None = None
        self._task: asyncio.Task[None] | None = None
        self.health: HealthServer | None = None
        """``GET /healthz``, once listening (on ``settings.health_port``; unset: not at all)."""

    @property
    def session(self) -> GateSession | None:
        """The running session, while this replica leads."""
        return self._leadership.session if self._leadership else None

    @property
    def is_leader(self) -> bool:
        return self.session is not None

    @property
    def caught_up(self) -> bool:
        return self.session is not None and self.session.caught_up

    @property
    def state(self) -> State | None:
        return self.session.state if self.session else None

    @property
    def lease_attempts(self) -> int:
        return self._leadership.attempts if self._leadership else 0

    async def start(self) -> None:
        """Connect, then compete for the lease in the background."""
        settings = self.settings
        self._bus = await open_bus(settings, f"gate-{settings.gate_instance_id}")
        self._http = WebhookClient(settings.gate_webhook_timeout_s)
        kv = await self._bus.js.key_value(subjects.SLOTS_BUCKET)
        lease = LeaderLease(
            kv,
            settings.gate_leader_key,
            settings.gate_instance_id,
            settings.gate_lease_ttl_s,
            self._edges.clock,
        )
        self._leadership = Leadership(
            lease, self._new_session, settings.gate_lease_ttl_s / 3, asyncio.sleep
        )
        self._task = asyncio.create_task(self._leadership.run())
        await self._serve_health(self._bus)

    async def stop(self) -> None:
        """Step down (releasing the lease) and disconnect."""
        if self.health is not None:
            await self.health.stop()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
        if self._bus is not None:
            await self._bus.close()

    async def run_until_signalled(self) -> None:
        """Run until SIGTERM or SIGINT."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()

    async def _serve_health(self, bus: Bus) -> None:
        # A standby replica is healthy: it is ready to take the lease over.
        async def details() -> dict[str, object]:
            return {"role": "leader" if self.is_leader else "standby", "caught_up": self.caught_up}

        health = HealthServer(
            lambda: {"nats": bus.nc.is_connected},
            port=self.settings.health_port,
            host=self.settings.health_host,
            details=details,
        )
        await health.start()
        self.health = health

    def _new_session(self) -> GateSession:
        assert self._bus is not None  # noqa: S101 - set in start()
        assert self._http is not None  # noqa: S101 - set in start()
        edges = self._edges
        tools = Tools(self._bus, self._http, edges.clock, edges.sleep, edges.jitter)
        settings = self.settings
        return GateSession(
            tools, settings.policy(), settings.retry_policy(), settings.gate_webhooks
        )


def create_app(settings: Settings, edges: Edges | None = None) -> GateApp:
    """The gate service, built from ``settings`` (and, in tests, other clocks)."""
    return GateApp(settings, edges or Edges())


def run() -> None:
    """Entry point of ``python -m mailferry_gate``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # httpx logs every request line with the full URL, which may carry a webhook's token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(create_app(Settings()).run_until_signalled())
