"""Leadership survives a session that fails: the lease is released and taken again."""

import asyncio
from typing import Any, cast

from mailferry_gate.adapters.lease import LeaderLease
from mailferry_gate.leader import Leadership
from mailferry_gate.service import GateSession
from tests.fixtures.waiting import wait_for


class AlwaysFree:
    """A lease nobody else wants."""

    def __init__(self) -> None:
        self.acquired = 0
        self.released = 0

    async def acquire(self) -> bool:
        self.acquired += 1
        return True

    async def renew(self) -> bool:
        return True

    async def release(self) -> None:
        self.released += 1


class FailingSession:
    async def run(self) -> None:
        raise TimeoutError("the log went quiet in an unexpected way")


class TestLeadership:
    async def test_a_failed_session_is_followed_by_a_new_one(self):
        lease = AlwaysFree()
        sessions: list[Any] = []

        def new_session() -> GateSession:
            sessions.append(FailingSession())
            return cast(GateSession, sessions[-1])

        leadership = Leadership(cast(LeaderLease, lease), new_session, 0.01, asyncio.sleep)
        task = asyncio.create_task(leadership.run())
        try:
            await wait_for(lambda: len(sessions) >= 3, timeout=10, what="three sessions")
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()
        assert lease.released >= 2
