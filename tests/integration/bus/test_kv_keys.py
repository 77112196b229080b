"""Listing a KV bucket's live keys: complete every time, deletes and purges left out."""

import nats
import pytest

from mailferry_bus.kv_keys import live_keys

pytestmark = pytest.mark.integration


@pytest.fixture
async def bucket(private_nats):
    connection = await nats.connect(private_nats.url)
    js = connection.jetstream()
    kv = await js.create_key_value(bucket="listing", history=3)
    yield kv
    await js.delete_key_value("listing")
    await connection.close()


async def test_an_empty_bucket_lists_nothing(bucket):
    assert await live_keys(bucket) == []


async def test_every_key_is_listed_each_time_however_fast_the_server_pushes(bucket):
    # nats-py's keys() came back empty here now and then: its watcher raced its own
    # consumer-info request. Many repetitions give that race every chance.
    expected = {f"k{n}" for n in range(300)}
    for key in expected:
        await bucket.put(key, b"v")
    for _ in range(20):
        assert set(await live_keys(bucket)) == expected


async def test_deleted_and_purged_keys_are_left_out_and_rewrites_counted_once(bucket):
    for key in ("kept", "deleted", "purged", "rewritten"):
        await bucket.put(key, b"1")
    await bucket.put("rewritten", b"2")
    await bucket.delete("deleted")
    await bucket.purge("purged")
    assert sorted(await live_keys(bucket)) == ["kept", "rewritten"]
