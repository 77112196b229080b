"""The local stack's services under one supervisor: start, watch, restart, stop in order.

NATS and PostgreSQL are started before and stopped after this (see ``cli``); here live the
service processes, their health and the optional scenario. ``cli`` turns SIGINT/SIGTERM into
``request_stop``: the first stops every service gracefully, a second kills what is left at once.
"""

import asyncio
import contextlib
import traceback
from collections.abc import Mapping

from mailferry_devstack.catalog import ServiceSpec
from mailferry_devstack.environment import Stack, health_url, service_environment
from mailferry_devstack.logs import LogSink
from mailferry_devstack.ports import free_port
from mailferry_devstack.restart import RestartPolicy
from mailferry_devstack.scenario import Scenario
from mailferry_devstack.service_process import SUPERVISOR, ServiceProcess


class Supervisor:
    """Runs ``services`` against ``stack`` until SIGINT or SIGTERM."""

    def __init__(
        self,
        stack: Stack,
        services: list[ServiceSpec],
        sink: LogSink,
        *,
        base_env: Mapping[str, str],
        grace_s: float,
        policy: RestartPolicy | None = None,
        scenario: tuple[str, Scenario] | None = None,
    ) -> None:
        self._stack = stack
        self._services = services
        self._sink = sink
        self._base_env = base_env
        self._grace_s = grace_s
        self._policy = policy or RestartPolicy()
        self._scenario = scenario
        self._stopping = asyncio.Event()
        self._kill_now = asyncio.Event()
        self._api_ready = asyncio.Event()
        self._healthy: set[str] = set()
        self._announced = False

    async def run(self) -> None:
        """Start every service, then wait for ``request_stop`` and stop them all."""
        tasks = [
            asyncio.create_task(process.run(self._stopping, self._kill_now, self._grace_s))
            for process in map(self._process, self._services)
        ]
        self._announce_if_ready()
        scenario = asyncio.create_task(self._run_scenario()) if self._scenario else None
        await self._stopping.wait()
        if scenario is not None:
            scenario.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await scenario
        for failure in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(failure, BaseException):
                self._say(f"supervision failed: {failure!r}")
        self._say("every service stopped")

    def _process(self, spec: ServiceSpec) -> ServiceProcess:
        health_port = None if spec.http else free_port()
        self._stack.work_dir(spec).mkdir(parents=True, exist_ok=True)
        return ServiceProcess(
            spec,
            service_environment(self._base_env, self._stack, spec, health_port),
            self._sink,
            self._policy,
            health_url(spec, self._stack.api_port, health_port),
            self._on_healthy,
        )

    def request_stop(self, reason: str = "stop requested") -> None:
        """First call: stop gracefully (SIGTERM, SIGKILL after grace). Second: SIGKILL now."""
        if not self._stopping.is_set():
            self._say(f"{reason}: stopping (again to kill at once)")
            self._stopping.set()
        else:
            self._say(f"{reason} again: killing what is left")
            self._kill_now.set()

    def _on_healthy(self, spec: ServiceSpec) -> None:
        self._say(f"{spec.name} is healthy")
        self._healthy.add(spec.name)
        if spec.http and not self._api_ready.is_set():
            self._api_ready.set()
            self._say(f"mailferry is up: {self._stack.api_url}  (Ctrl-C stops everything)")
        self._announce_if_ready()

    def _announce_if_ready(self) -> None:
        if self._announced or len(self._healthy) < len(self._services):
            return
        self._announced = True
        names = ", ".join(spec.name for spec in self._services) or "no services"
        self._say(f"stack ready ({names})")

    async def _run_scenario(self) -> None:
        assert self._scenario is not None  # noqa: S101 - only scheduled with a scenario
        name, run = self._scenario
        if any(spec.http for spec in self._services):
            await self._api_ready.wait()
        self._say(f"scenario {name}: running")
        try:
            await run(self._stack)
        except Exception:  # reported below; the stack stays up for a look around
            for line in traceback.format_exc().splitlines():
                self._say(f"scenario {name}: {line}")
            self._say(f"scenario {name}: failed; the stack keeps running")
        else:
            self._say(f"scenario {name}: done; the stack keeps running")

    def _say(self, text: str) -> None:
        self._sink.write(SUPERVISOR, text)
