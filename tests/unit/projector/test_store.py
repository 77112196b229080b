from mailferry_projector.store import lock_key, migrations, owned_tables


class TestMigrations:
    def test_migrations_are_numbered_and_ordered(self):
        names = [m.name for m in migrations()]
        assert names == sorted(names)
        assert names[:2] == ["001_read_models.sql", "002_projector.sql"]

    def test_a_rebuild_drops_every_table_the_migrations_create_and_the_ledger(self):
        tables = owned_tables()
        assert {"migration_jobs", "audit_log", "projection_tracking", "projection_errors"} <= set(
            tables
        )
        assert tables[-1] == "schema_migrations"
        assert len(tables) == len(set(tables))


class TestLockKey:
    def test_the_key_is_stable_and_differs_per_schema(self):
        assert lock_key("public") == lock_key("public")
        assert lock_key("public") != lock_key("scratch")
        assert 0 <= lock_key("public") < 2**32
