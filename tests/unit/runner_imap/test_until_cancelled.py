import asyncio

from mailferry_runner_imap.adapters.native import until_cancelled


async def slow_to_stop() -> int:
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        await asyncio.sleep(0.2)  # closes its connections before it stops
        raise
    return 1


class TestUntilCancelled:
    async def test_the_work_s_result_when_nobody_cancels(self):
        assert await until_cancelled(asyncio.sleep(0, result=7), asyncio.Event()) == 7

    async def test_none_once_the_attempt_is_abandoned(self):
        cancel = asyncio.Event()
        running = asyncio.create_task(until_cancelled(slow_to_stop(), cancel))
        await asyncio.sleep(0.01)
        cancel.set()

        assert await asyncio.wait_for(running, 5) is None

    async def test_a_cancel_of_the_caller_while_the_work_stops_is_not_swallowed(self):
        cancel = asyncio.Event()
        running = asyncio.create_task(until_cancelled(slow_to_stop(), cancel))
        await asyncio.sleep(0.01)
        cancel.set()
        await asyncio.sleep(0.05)  # the work is now stopping
        running.cancel()
        await asyncio.wait({running}, timeout=5)

        assert running.cancelled()
