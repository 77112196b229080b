import psycopg
import pytest

from tests.integration.api.seed import set_tracking

pytestmark = pytest.mark.integration


class TestProbes:
    async def test_alive(self, client):
        response = await client.get("/healthz")
        assert response.json() == {"status": "ok"}

    async def test_ready_reports_the_projector_lag(self, client, bus, read_models_dsn):
        info = await bus.js.stream_info("MIGRATION_EVENTS")
        set_tracking(read_models_dsn, max(info.state.last_seq - 3, 0))
        body = (await client.get("/readyz")).json()
        assert body["ready"] is True
        assert body["projector_lag"] == body["stream_last_seq"] - body["projected_seq"]
        assert body["projector_lag"] >= min(3, info.state.last_seq)

    async def test_missing_read_models_are_not_ready(self, client, read_models_dsn):
        with psycopg.connect(read_models_dsn, autocommit=True) as conn:
            conn.execute("DROP TABLE migration_runs")
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["missing_tables"] == ["migration_runs"]

    async def test_openapi_and_docs_are_served(self, client):
        schema = (await client.get("/api/v1/openapi.json")).json()
        assert "MailboxIn" in schema["components"]["schemas"]
        create = schema["paths"]["/api/v1/migration/jobs"]["post"]
        assert "Idempotency-Key" in [p["name"] for p in create["parameters"]]
        assert (await client.get("/api/v1/docs")).status_code == 200
