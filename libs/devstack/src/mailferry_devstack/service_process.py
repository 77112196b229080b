"""One supervised service process: started, its output merged into the log, restarted on a crash.

Each service runs in its own process group, so a terminal's Ctrl-C reaches only the supervisor
(which then stops things in order), and SIGTERM/SIGKILL reach whatever the service spawned too
(imapsync, readpst).
"""

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping

from mailferry_bus.health import probe
from mailferry_devstack.catalog import ServiceSpec
from mailferry_devstack.logs import LogSink, decode_line
from mailferry_devstack.processes import DIE_WITH_PARENT, describe_exit
from mailferry_devstack.restart import RestartPolicy

SUPERVISOR = "devstack"
_LINE_LIMIT = 1 << 20
_DRAIN_TIMEOUT_S = 5.0
_HEALTH_POLL_MAX_S = 1.0


class ServiceProcess:
    """Runs ``python -m <module>`` until the stack stops, restarting it with backoff."""

    def __init__(
        self,
        spec: ServiceSpec,
        env: Mapping[str, str],
        sink: LogSink,
        policy: RestartPolicy,
        health_url: str | None,
        on_healthy: Callable[[ServiceSpec], None],
    ) -> None:
        self.spec = spec
        self._env = dict(env)
        self._sink = sink
        self._policy = policy
        self._health_url = health_url
        self._on_healthy = on_healthy

    async def run(self, stopping: asyncio.Event, kill_now: asyncio.Event, grace_s: float) -> None:
        """Keep the service running until ``stopping``; then SIGTERM, and SIGKILL after grace."""
        loop = asyncio.get_running_loop()
        crashes = 0
        while not stopping.is_set():
            started = loop.time()
            process = await self._spawn()
            if process is not None and await self._run_once(process, stopping, kill_now, grace_s):
                return
            crashes = self._policy.crashes_after(crashes, loop.time() - started)
            delay = self._policy.delay(crashes)
            self._say(f"{self.spec.name} will be restarted in {delay:.1f}s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), delay)

    async def _run_once(
        self,
        process: asyncio.subprocess.Process,
        stopping: asyncio.Event,
        kill_now: asyncio.Event,
        grace_s: float,
    ) -> bool:
        """Supervise one process; True when it ended because the stack is stopping."""
        pump = asyncio.create_task(self._pump(process))
        health = asyncio.create_task(self._watch_health())
        try:
            exited = await _first_of(process.wait(), stopping.wait())
            if not exited:
                await self._terminate(process, kill_now, grace_s)
                self._say(f"{self.spec.name} stopped ({describe_exit(_code(process))})")
                return True
            self._say(f"{self.spec.name} exited unexpectedly ({describe_exit(_code(process))})")
            return False
        finally:
            health.cancel()
            _kill_group(process.pid, signal.SIGKILL)
            await _drain(pump)

    async def _spawn(self) -> asyncio.subprocess.Process | None:
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                self.spec.module,
                env=self._env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=DIE_WITH_PARENT,
                limit=_LINE_LIMIT,
            )
        except OSError as exc:
            self._say(f"{self.spec.name} could not be started: {exc}")
            return None
        self._say(f"{self.spec.name} started (pid {process.pid})")
        return process

    async def _terminate(
        self, process: asyncio.subprocess.Process, kill_now: asyncio.Event, grace_s: float
    ) -> None:
        _kill_group(process.pid, signal.SIGTERM)
        exited = await _first_of(process.wait(), kill_now.wait(), limit_s=grace_s)
        if not exited:
            self._say(f"{self.spec.name} did not stop within {grace_s:.0f}s: SIGKILL")
            _kill_group(process.pid, signal.SIGKILL)
            await process.wait()

    async def _pump(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None  # noqa: S101 - spawned with stdout=PIPE
        while True:
            try:
                raw = await process.stdout.readline()
            except ValueError:
                self._sink.write(self.spec.name, f"[a line over {_LINE_LIMIT} bytes was dropped]")
                continue
            if not raw:
                return
            self._sink.write(self.spec.name, decode_line(raw))

    async def _watch_health(self) -> None:
        if self._health_url is None:
            return
        delay = 0.05
        while not await probe(self._health_url):
            await asyncio.sleep(delay)
            delay = min(delay * 2, _HEALTH_POLL_MAX_S)
        self._on_healthy(self.spec)

    def _say(self, text: str) -> None:
        self._sink.write(SUPERVISOR, text)


async def _first_of(
    exit_wait: Awaitable[object], other: Awaitable[object], limit_s: float | None = None
) -> bool:
    """Await the process's exit or ``other``; True when the process exited first."""
    exit_task = asyncio.ensure_future(exit_wait)
    other_task = asyncio.ensure_future(other)
    try:
        await asyncio.wait(
            {exit_task, other_task}, timeout=limit_s, return_when=asyncio.FIRST_COMPLETED
        )
        return exit_task.done()
    finally:
        for task in (exit_task, other_task):
            if not task.done():
                task.cancel()


def _code(process: asyncio.subprocess.Process) -> int:
    return process.returncode if process.returncode is not None else -signal.SIGKILL


def _kill_group(pgid: int, sig: signal.Signals) -> None:
    # The group outlives its leader when the service spawned tools; ProcessLookupError means
    # nothing is left in it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


async def _drain(pump: "asyncio.Task[None]") -> None:
    try:
        await asyncio.wait_for(pump, _DRAIN_TIMEOUT_S)
    except TimeoutError:
        pump.cancel()
