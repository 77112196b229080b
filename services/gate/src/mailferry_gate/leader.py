"""Leadership: hold the lease, run a session while holding it, step down when it is lost."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from mailferry_bus.cancellation import raise_if_cancelled
from mailferry_gate.adapters.lease import LeaderLease
from mailferry_gate.service import GateSession

log = logging.getLogger(__name__)


class Leadership:
    """Runs one GateSession at a time, only while this replica holds the lease."""

    def __init__(
        self,
        lease: LeaderLease,
        new_session: Callable[[], GateSession],
        interval_s: float,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._lease = lease
        self._new_session = new_session
        self._interval = interval_s
        self._sleep = sleep
        self.session: GateSession | None = None
        self.attempts = 0

    async def run(self) -> None:
        """Try for the lease forever; lead whenever it is ours."""
        try:
            while True:
                self.attempts += 1
                acquired = await self._try_acquire()
                raise_if_cancelled()  # a stop that met the lease's reply (Python 3.11)
                if acquired:
                    await self._lead()
                await self._sleep(self._interval)
        finally:
            await self._lease.release()

    async def _try_acquire(self) -> bool:
        try:
            return await self._lease.acquire()
        except Exception:
            log.exception("could not reach the leader lease")
            return False

    async def _lead(self) -> None:
        log.info("gate leadership acquired")
        session = self.session = self._new_session()
        task = asyncio.create_task(session.run())
        try:
            while not await self._session_ended(task):
                renewed = await self._renewed()
                raise_if_cancelled()
                if not renewed:
                    log.warning("gate leadership lost; stepping down")
                    return
        finally:
            self.session = None
            task.cancel()
            try:
                # wait, not await: a session that failed must not take leadership down with it
                # (its error is logged in _session_ended); the next round leads again.
                await asyncio.wait({task})
            finally:
                await self._lease.release()

    async def _session_ended(self, task: "asyncio.Task[None]") -> bool:
        done, _ = await asyncio.wait({task}, timeout=self._interval)
        if not done:
            return False
        if not task.cancelled() and task.exception() is not None:
            log.error("gate session failed; releasing the lease", exc_info=task.exception())
        return True

    async def _renewed(self) -> bool:
        try:
            return await self._lease.renew()
        except Exception:
            log.exception("could not renew the leader lease")
            return False
