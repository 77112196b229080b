import uuid

import pytest

from mailferry_bus.runners import LeaseLostError, LeaseStore
from mailferry_contracts import subjects as subj

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _stores(bus, ttl=10.0):
    kv = await bus.js.key_value(subj.SLOTS_BUCKET)
    clock = Clock()
    return LeaseStore(kv, ttl, clock), LeaseStore(kv, ttl, clock), clock


class TestLeaseStore:
    async def test_a_scope_hands_out_exactly_limit_slots(self, bus):
        mine, theirs, _ = await _stores(bus)
        scope = uuid.uuid4().hex
        first = await mine.acquire("job", scope, 2, "a", "r1")
        second = await theirs.acquire("job", scope, 2, "b", "r2")
        assert first is not None
        assert second is not None
        assert first.key != second.key
        assert await theirs.acquire("job", scope, 2, "b", "r3") is None

    async def test_a_released_slot_is_free_again(self, bus):
        mine, theirs, _ = await _stores(bus)
        scope = uuid.uuid4().hex
        lease = await mine.acquire("job", scope, 1, "a", "r1")
        assert lease is not None
        await mine.release(lease)
        assert await theirs.acquire("job", scope, 1, "b", "r2") is not None

    async def test_a_dead_holders_slot_expires_and_its_renewal_then_fails(self, bus):
        mine, theirs, clock = await _stores(bus, ttl=10.0)
        scope = uuid.uuid4().hex
        lease = await mine.acquire("host", scope, 1, "dead", "r1")
        assert lease is not None
        assert await theirs.acquire("host", scope, 1, "b", "r2") is None

        clock.now += 11
        taken = await theirs.acquire("host", scope, 1, "b", "r2")

        assert taken is not None
        with pytest.raises(LeaseLostError):
            await mine.renew(lease)
        await mine.release(lease)  # a stale release must not free the new holder's slot
        assert await mine.acquire("host", scope, 1, "c", "r3") is None

    async def test_renewal_keeps_a_live_holder(self, bus):
        mine, theirs, clock = await _stores(bus, ttl=10.0)
        scope = uuid.uuid4().hex
        lease = await mine.acquire("job", scope, 1, "a", "r1")
        assert lease is not None
        clock.now += 8
        lease = await mine.renew(lease)
        clock.now += 8
        assert await theirs.acquire("job", scope, 1, "b", "r2") is None
