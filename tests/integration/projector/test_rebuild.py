import asyncio

import psycopg
import pytest

from mailferry_projector.rebuild import rebuild
from mailferry_projector.store import owned_tables
from mailferry_projector.verify import verify
from tests.integration.projector import journey
from tests.integration.projector.conftest import append_all, dump, fetch

pytestmark = pytest.mark.integration


async def test_a_rebuild_reproduces_every_table_byte_for_byte(log_bus, projector, pg_dsn):
    last = await append_all(log_bus, journey.build().envelopes)
    await projector.start()
    await projector.wait_applied(last)
    await projector.stop()
    before = await dump(pg_dsn)
    report = await rebuild(log_bus.js, pg_dsn, "public", batch_size=9)
    assert (report.position, report.events) == (last, last)
    after = await dump(pg_dsn)
    assert after == before
    assert all(after[table] for table in ("migration_jobs", "audit_log", "migration_quarantine"))


async def test_a_rebuild_into_a_scratch_schema_leaves_the_live_models_alone(
    log_bus, projector, pg_dsn
):
    last = await append_all(log_bus, journey.build().envelopes)
    await projector.start()
    await projector.wait_applied(last)
    await rebuild(log_bus.js, pg_dsn, "scratch")
    assert await dump(pg_dsn, "scratch") == await dump(pg_dsn, "public")
    more = await append_all(log_bus, journey.build().envelopes)
    await projector.wait_applied(more)
    assert await projector.applied("scratch") == last


async def test_a_live_projector_waits_for_a_rebuild_and_resumes_after_it(
    log_bus, projector, pg_dsn
):
    first = await append_all(log_bus, journey.build().envelopes)
    await projector.start()
    await projector.wait_applied(first)
    rebuilding = asyncio.create_task(rebuild(log_bus.js, pg_dsn, "public", batch_size=5))
    last = await append_all(log_bus, [e for _ in range(3) for e in journey.build().envelopes])
    await rebuilding
    await projector.wait_applied(last)
    await rebuild(log_bus.js, pg_dsn, "scratch")
    assert await dump(pg_dsn, "public") == await dump(pg_dsn, "scratch")
    rows = await fetch(pg_dsn, "SELECT count(*) AS n FROM audit_log")
    assert rows == [{"n": 4 * len(journey.AUDITED_TYPES)}]


class TestVerify:
    async def test_a_clean_system_verifies_identical(self, log_bus, projector, pg_dsn):
        last = await append_all(log_bus, journey.build().envelopes)
        await projector.start()
        await projector.wait_applied(last)
        report = await verify(log_bus.js, pg_dsn, "public", batch_size=7)
        assert report.identical, report.differences
        assert (report.position, report.tables) == (last, len(owned_tables()))

    async def test_a_hand_edited_row_is_reported_with_its_table(self, log_bus, projector, pg_dsn):
        last = await append_all(log_bus, journey.build().envelopes)
        await projector.start()
        await projector.wait_applied(last)
        await projector.stop()
        async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as conn:
            await conn.execute("UPDATE migration_jobs SET notes = 'edited by hand'")
        report = await verify(log_bus.js, pg_dsn, "public")
        [difference] = report.differences
        assert difference.table == "migration_jobs"
        assert difference.only_live == difference.only_rebuilt >= 1
        assert any("edited by hand" in e for e in difference.examples)

    async def test_events_projected_during_the_verification_are_caught_up(
        self, log_bus, projector, pg_dsn
    ):
        first = await append_all(log_bus, journey.build().envelopes)
        await projector.start()
        await projector.wait_applied(first)
        verifying = asyncio.create_task(verify(log_bus.js, pg_dsn, "public", batch_size=5))
        await append_all(log_bus, journey.build().envelopes)
        report = await verifying
        assert report.identical, report.differences
        assert report.position >= first
