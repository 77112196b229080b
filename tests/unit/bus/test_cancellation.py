import asyncio
import sys

import pytest

from mailferry_bus.cancellation import raise_if_cancelled
from tests.fixtures.waiting import wait_for


async def follow(queue: asyncio.Queue[int], seen: list[int], *, check: bool) -> None:
    """A consumer loop as nats-py's fetch makes it: every message awaited through wait_for."""
    while True:
        if check:
            raise_if_cancelled()
        seen.append(await asyncio.wait_for(queue.get(), 10))


async def cancelled_as_a_message_arrives(check: bool) -> tuple[asyncio.Task[None], list[int]]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    seen: list[int] = []
    task = asyncio.create_task(follow(queue, seen, check=check))
    await asyncio.sleep(0)  # one loop iteration: the task now blocks in wait_for
    queue.put_nowait(1)
    task.cancel()
    queue.put_nowait(2)
    return task, seen


class TestRaiseIfCancelled:
    @pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12's wait_for keeps it")
    async def test_python_3_11_loses_a_cancel_that_meets_a_message(self):
        task, seen = await cancelled_as_a_message_arrives(check=False)

        await wait_for(lambda: seen == [1, 2], what="the loop running on")
        assert task.cancelling() == 1
        task.uncancel()
        task.cancel()
        await asyncio.wait({task})

    async def test_a_loop_that_checks_stops_at_its_next_round(self):
        task, seen = await cancelled_as_a_message_arrives(check=True)

        await asyncio.wait({task}, timeout=5)

        assert task.cancelled()
        assert seen == [1]

    async def test_outside_a_cancelled_task_it_does_nothing(self):
        raise_if_cancelled()
