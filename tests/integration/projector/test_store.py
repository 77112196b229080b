import psycopg
import pytest

from mailferry_contracts.runs import RunStarted
from mailferry_projector.store import (
    MigrationChangedError,
    PositionMovedError,
    Tracking,
    apply_batch,
    connection_kwargs,
    migrate,
    migrations,
)
from tests.integration.projector import journey
from tests.integration.projector.conftest import LIVE, dump, fetch, items_of

pytestmark = pytest.mark.integration


class TestApplyBatch:
    async def test_applying_the_same_batch_twice_changes_nothing(self, conn, pg_dsn):
        items = items_of(journey.build().envelopes)
        assert await apply_batch(conn, LIVE, items, 0) == len(items)
        before = await dump(pg_dsn)
        assert await apply_batch(conn, LIVE, items, len(items)) == len(items)
        assert await dump(pg_dsn) == before

    async def test_an_overlapping_batch_applies_only_what_is_new(self, conn, pg_dsn):
        items = items_of(journey.build().envelopes)
        await apply_batch(conn, LIVE, items[:30], 0)
        await apply_batch(conn, LIVE, items[20:], 30)
        async with await psycopg.AsyncConnection.connect(
            pg_dsn, **connection_kwargs("once")
        ) as other:
            await migrate(other, "once")
            await apply_batch(other, Tracking("once", LIVE.name, LIVE.stream), items, 0)
        assert await dump(pg_dsn, "public") == await dump(pg_dsn, "once")

    async def test_a_position_moved_by_someone_else_is_refused(self, conn, pg_dsn):
        items = items_of(journey.build().envelopes)
        await apply_batch(conn, LIVE, items[:10], 0)
        with pytest.raises(PositionMovedError) as raised:
            await apply_batch(conn, LIVE, items[10:], 4)
        assert raised.value.tracked == 10

    async def test_an_event_whose_values_do_not_fit_is_recorded_and_the_rest_applied(
        self, conn, pg_dsn
    ):
        envelopes = journey.build().envelopes
        at = next(i for i, e in enumerate(envelopes) if isinstance(e.payload, RunStarted))
        started = envelopes[at]
        envelopes[at] = started.model_copy(
            update={"payload": started.payload.model_copy(update={"attempt": 2**40})}
        )
        assert await apply_batch(conn, LIVE, items_of(envelopes), 0) == len(envelopes)
        [error] = await fetch(pg_dsn, "SELECT * FROM projection_errors")
        assert (error["seq"], error["event_type"]) == (at + 1, "RunStarted")
        assert "cannot be applied" in error["reason"]
        audited = await fetch(pg_dsn, "SELECT count(*) AS n FROM audit_log")
        assert audited == [{"n": len(journey.AUDITED_TYPES)}]


class TestMigrations:
    async def test_migrations_apply_once_in_order(self, conn, pg_dsn):
        assert await migrate(conn, "public") == []
        rows = await fetch(pg_dsn, "SELECT name FROM schema_migrations ORDER BY name")
        assert [r["name"] for r in rows] == [m.name for m in migrations()]

    async def test_an_edited_migration_stops_the_projector(self, conn):
        await conn.execute(
            "UPDATE schema_migrations SET sha256 = 'x' WHERE name = %s", (migrations()[0].name,)
        )
        with pytest.raises(MigrationChangedError, match=r"001_read_models\.sql changed"):
            await migrate(conn, "public")
