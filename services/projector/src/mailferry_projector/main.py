"""Wiring: ``create_app(settings)`` builds the projector; nothing is created at import time."""

import asyncio
import logging

from psycopg_pool import AsyncConnectionPool

from mailferry_bus import Bus, open_bus
from mailferry_bus.health import HealthServer
from mailferry_contracts import subjects
from mailferry_projector.consumer import LogConsumer
from mailferry_projector.lag import measure
from mailferry_projector.leadership import Leadership
from mailferry_projector.runner import Projector
from mailferry_projector.settings import Settings
from mailferry_projector.store import Tracking, migrate, open_pool

log = logging.getLogger(__name__)


class ProjectorApp:
    """The live projector: event log -> read models, plus ``GET /healthz``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tracking = Tracking(
            settings.projector_schema, subjects.PROJECTOR_DURABLE, subjects.EVENTS_STREAM
        )
        self.started = asyncio.Event()
        """Set once this instance is the active projector and its schema is migrated."""
        self.health: HealthServer | None = None
        """``GET /healthz``, once listening (on ``settings.health_port``; unset: not at all)."""

    async def run(self) -> None:
        """Connect, wait to be the active instance, migrate, and project until cancelled."""
        settings = self.settings
        url = settings.database_url.get_secret_value()
        bus = await open_bus(settings, "mailferry-projector")
        pool = await open_pool(url, settings.projector_schema)
        leadership = Leadership(url, settings.projector_schema)
        consumer = LogConsumer(
            bus.js,
            durable=subjects.PROJECTOR_DURABLE,
            batch_size=settings.projector_batch_size,
            fetch_timeout=settings.projector_fetch_timeout_s,
            ack_wait=settings.projector_ack_wait_s,
        )
        try:
            await self._serve_health(bus, pool)
            await leadership.acquire()
            async with pool.connection() as conn:
                await migrate(conn, settings.projector_schema)
            self.started.set()
            async with asyncio.TaskGroup() as group:
                group.create_task(Projector(pool, consumer, self.tracking).run())
                group.create_task(leadership.watch())
        finally:
            await self._close(bus, pool, consumer, leadership)

    async def _serve_health(self, bus: Bus, pool: AsyncConnectionPool) -> None:
        # The lag needs both NATS and PostgreSQL: when it cannot be measured, the answer is 503.
        async def details() -> dict[str, object]:
            lag = await measure(bus.js, pool, self.tracking.name)
            return {**lag.as_dict(), "role": "active" if self.started.is_set() else "standby"}

        settings = self.settings
        health = HealthServer(
            lambda: {"nats": bus.nc.is_connected},
            port=settings.health_port,
            host=settings.health_host,
            details=details,
        )
        await health.start()
        self.health = health

    async def _close(
        self, bus: Bus, pool: AsyncConnectionPool, consumer: LogConsumer, leadership: Leadership
    ) -> None:
        if self.health is not None:
            await self.health.stop()
        await consumer.close()
        await leadership.release()
        await pool.close()
        await bus.close()


def create_app(settings: Settings) -> ProjectorApp:
    """The projector for ``settings``; call ``await app.run()``."""
    return ProjectorApp(settings)
