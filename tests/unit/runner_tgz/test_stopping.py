import asyncio

import pytest

from mailferry_runner_tgz.stopping import RefusedError, until_cancelled


async def test_the_result_when_nothing_stops_it():
    assert await until_cancelled(asyncio.sleep(0, result=7), asyncio.Event()) == 7


async def test_a_stop_cancels_the_work_and_says_so():
    cancel, cancelled = asyncio.Event(), asyncio.Event()

    async def work() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    running = asyncio.create_task(until_cancelled(work(), cancel))
    await asyncio.sleep(0)
    cancel.set()
    with pytest.raises(RefusedError) as caught:
        await running
    assert caught.value.error_class == "cancelled"
    assert cancelled.is_set()


async def test_the_works_own_error_comes_through():
    async def work() -> None:
        raise RefusedError("invalid_input", "bad name")

    with pytest.raises(RefusedError, match="bad name"):
        await until_cancelled(work(), asyncio.Event())
