import pytest

from mailferry_api.errors import PayloadTooLargeError
from mailferry_api.mailboxes.body import read_limited


async def _chunks(count: int, size: int):
    for _ in range(count):
        yield b"\xff" * size


class TestReadLimited:
    async def test_fifty_megabytes_stop_at_the_limit(self):
        consumed = 0

        async def counting():
            nonlocal consumed
            async for chunk in _chunks(50, 1024 * 1024):
                consumed += 1
                yield chunk

        with pytest.raises(PayloadTooLargeError):
            await read_limited(counting(), 20 * 1024 * 1024, "the CSV file")
        assert consumed == 21

    async def test_exactly_the_limit_is_accepted(self):
        assert len(await read_limited(_chunks(4, 256), 1024, "x")) == 1024
