import asyncio

from mailferry_bus.runners.keepalive import every


class TestEvery:
    async def test_a_stop_that_meets_a_tick_reply_still_stops_the_ticks(self):
        """The runner stall of CI: a heartbeat that outlived its run kept the slot forever.

        A tick waits for a NATS reply through ``wait_for``; on Python 3.11 a cancel that
        arrives with the reply is lost (see ``mailferry_bus.cancellation``).
        """
        ticks: list[int] = []
        waiting = asyncio.Event()
        reply: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def tick() -> None:
            ticks.append(len(ticks))
            waiting.set()
            if len(ticks) == 1:
                await asyncio.wait_for(asyncio.shield(reply), 10)

        async def block() -> None:
            async with every(0.01, tick):
                await waiting.wait()
                reply.set_result(None)  # the reply lands in the iteration the block ends in

        await asyncio.wait_for(block(), 5)
        count = len(ticks)
        await asyncio.sleep(0.1)

        assert len(ticks) == count == 1

    async def test_a_cancel_of_the_block_while_the_ticks_wind_down_is_not_swallowed(self):
        ticking = asyncio.Event()

        async def slow_to_stop() -> None:
            ticking.set()
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                await asyncio.sleep(0.2)  # a tick that settles something before it stops

        async def block() -> None:
            async with every(0.001, slow_to_stop):
                await ticking.wait()

        task = asyncio.create_task(block())
        await ticking.wait()
        await asyncio.sleep(0.01)  # the block has ended and waits for the ticks to stop
        task.cancel()
        await asyncio.wait({task}, timeout=5)

        assert task.cancelled()

    async def test_a_failing_tick_does_not_stop_the_next_ones(self):
        calls: list[int] = []

        async def tick() -> None:
            calls.append(1)
            raise RuntimeError("nats hiccup")

        async def three_ticks() -> None:
            async with every(0.001, tick):
                while len(calls) < 3:
                    await asyncio.sleep(0.005)

        await asyncio.wait_for(three_ticks(), 5)
        assert len(calls) >= 3
