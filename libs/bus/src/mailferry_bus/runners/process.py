"""What a runner service's app holds while it runs: bus connection, work queue, health endpoint.

A runner's ``main.py`` subclasses ``RunnerProcess`` with ``open`` (its own parts: work
directory, vault, engines), which ends in ``serve``; ``runner_app`` ties it to FastStream's
lifecycle. The dispatcher subscriber runs on the broker's connection, the work queue on the
process's own one, and the health checks watch both.
"""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from faststream import ContextRepo, FastStream
from faststream.nats import NatsBroker

from mailferry_bus.health import HealthServer
from mailferry_bus.runners.dispatch import CommandBuilder, Dispatcher
from mailferry_bus.runners.executor import CommandExecutor, Handler
from mailferry_bus.runners.settings import RunnerSettings
from mailferry_bus.runners.work_queue import HostOf, WorkQueue
from mailferry_bus.runtime import Bus, open_bus
from mailferry_contracts.common import Tool
from mailferry_contracts.runs import MailboxWork

SettingsT = TypeVar("SettingsT", bound=RunnerSettings)


class RunnerProcess(ABC, Generic[SettingsT]):
    """The parts that live as long as the app; ``stop_grace_s`` is what running commands get."""

    def __init__(self, settings: SettingsT, broker: NatsBroker, *, stop_grace_s: float) -> None:
        self.settings = settings
        self.bus: Bus | None = None
        self.queue: WorkQueue | None = None
        self.health: HealthServer | None = None
        """``GET /healthz``, once listening (on ``settings.health_port``; unset: not at all)."""
        self._broker = broker
        self._stop_grace_s = stop_grace_s
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def open(self, context: ContextRepo) -> None:
        """Connect (``connect``), build the runner's own parts, then ``serve`` its handlers."""

    async def connect(self, service: str) -> Bus:
        """The process's own bus connection, named for ``service`` and this runner."""
        self.bus = await open_bus(self.settings, f"{service} {self.settings.runner_id}")
        return self.bus

    async def serve(
        self,
        context: ContextRepo,
        handlers: Mapping[type[MailboxWork], Handler],
        *,
        fallback_tool: Tool,
        build_command: CommandBuilder,
        host_of: HostOf,
    ) -> None:
        """Build the work queue around ``handlers``, give the dispatcher its commands, listen."""
        assert self.bus is not None  # noqa: S101 - connect() ran first
        bus, config = self.bus, self.settings.runner_config()
        executor = CommandExecutor(bus, config, handlers, fallback_tool=fallback_tool)
        self.queue = WorkQueue(bus, config, executor, host_of)
        kind = self.settings.runner_kind
        context.set_global("dispatcher", Dispatcher(bus, kind, build_command))
        health = HealthServer(
            self._checks, port=self.settings.health_port, host=self.settings.health_host
        )
        await health.start()
        self.health = health

    async def _checks(self) -> dict[str, bool]:
        # The work queue runs on the runner's own connection; the dispatcher on the broker's.
        return {
            "nats": self.bus is not None and self.bus.nc.is_connected,
            "dispatcher": await self._broker.ping(timeout=1.0),
            "work_queue": self._task is not None and not self._task.done(),
        }

    async def start(self) -> None:
        """Pull work in the background until ``close``."""
        assert self.queue is not None  # noqa: S101 - open() ran first
        self._task = asyncio.create_task(self.queue.run())

    async def close(self) -> None:
        """Stop listening, let running commands finish within the grace, disconnect."""
        if self.health is not None:
            await self.health.stop()
        if self.queue is not None:
            await self.queue.stop(self._stop_grace_s)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.bus is not None:
            await self.bus.close()


def runner_app(broker: NatsBroker, runner: RunnerProcess[Any]) -> FastStream:
    """A FastStream app over ``broker`` that opens, starts and closes ``runner`` with itself."""
    app = FastStream(broker)

    @app.on_startup
    async def _open() -> None:
        await runner.open(app.context)

    @app.after_startup
    async def _start() -> None:
        await runner.start()

    @app.on_shutdown
    async def _close() -> None:
        await runner.close()

    app.context.set_global("runner", runner)
    return app
