import asyncio

import pytest

from mailferry_imap.streams import BodyStream


class TestBodyStream:
    async def test_chunks_arrive_in_order_while_the_queue_stays_small(self):
        stream = BodyStream(size=6, depth=1)

        async def produce():
            for chunk in (b"ab", b"cd", b"ef"):
                await stream.feed(chunk)
            await stream.close(None)

        producer = asyncio.create_task(produce())
        assert [chunk async for chunk in stream] == [b"ab", b"cd", b"ef"]
        await producer

    async def test_an_error_reaches_the_reader(self):
        stream = BodyStream(size=10)
        await stream.feed(b"abc")
        await stream.close(ConnectionResetError("gone"))
        with pytest.raises(ConnectionResetError):
            async for _ in stream:
                pass

    async def test_a_stream_is_read_once(self):
        stream = BodyStream(size=0)
        await stream.close(None)
        await stream.discard()
        with pytest.raises(RuntimeError, match="once"):
            async for _ in stream:
                pass
