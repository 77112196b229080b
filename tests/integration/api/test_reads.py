import json
import uuid

import psycopg
import pytest

from mailferry_api.mailboxes.queries import MailboxQuery, list_statement
from tests.integration.api.payloads import API
from tests.integration.api.seed import seed_job, seed_mailbox, seed_mailboxes, seed_run

pytestmark = pytest.mark.integration


@pytest.fixture
def big_job(read_models_dsn) -> uuid.UUID:
    """A job with 10,000 mailboxes, next to two others of the same size."""
    job_id = uuid.uuid4()
    for other in (uuid.uuid4(), uuid.uuid4()):
        seed_job(read_models_dsn, other)
        seed_mailboxes(read_models_dsn, other, 10_000)
    seed_job(read_models_dsn, job_id)
    seed_mailboxes(read_models_dsn, job_id, 10_000)
    return job_id


def _plan(dsn: str, query: MailboxQuery) -> str:
    statement, params = list_statement(query)
    with psycopg.connect(dsn) as conn:
        explain = psycopg.sql.SQL("EXPLAIN (FORMAT JSON) {}").format(statement)
        [[plan]] = conn.execute(explain, [*params, 50, 0]).fetchall()
    return json.dumps(plan)


class TestJobList:
    async def test_newest_first_with_filters(self, client, auth, read_models_dsn):
        ids = [uuid.uuid4() for _ in range(3)]
        seed_job(read_models_dsn, ids[0], domain="a.example", age_minutes=1)
        seed_job(read_models_dsn, ids[1], domain="b.example", phase="initial_sync", age_minutes=2)
        seed_job(read_models_dsn, ids[2], domain="a.example", gate="warning", age_minutes=3)
        page = (await client.get(f"{API}/jobs", headers=auth())).json()
        assert [j["id"] for j in page["items"]] == [str(i) for i in reversed(ids)]
        for params, expected in (
            ({"domain": "A.example"}, [ids[2], ids[0]]),
            ({"phase": "initial_sync"}, [ids[1]]),
            ({"gate": "warning"}, [ids[2]]),
            ({"limit": 1, "offset": 1}, [ids[1]]),
        ):
            page = (await client.get(f"{API}/jobs", params=params, headers=auth())).json()
            assert [j["id"] for j in page["items"]] == [str(i) for i in expected], params

    async def test_get_one_job_or_404(self, client, auth, read_models_dsn):
        job_id = uuid.uuid4()
        seed_job(read_models_dsn, job_id, domain="c.example")
        job = (await client.get(f"{API}/jobs/{job_id}", headers=auth())).json()
        assert (job["domain"], job["destination"]["host"], job["gate"]) == (
            "c.example", "mail.new.example", "blocked",
        )  # fmt: skip
        missing = await client.get(f"{API}/jobs/{uuid.uuid4()}", headers=auth())
        assert missing.status_code == 404


class TestMailboxList:
    async def test_paging_over_ten_thousand_rows(self, client, auth, big_job):
        url = f"{API}/jobs/{big_job}/mailboxes"
        first = (await client.get(url, headers=auth())).json()
        assert first["total"] == 10_000
        assert [m["row"] for m in first["items"]] == list(range(1, 51))
        last = (await client.get(url, params={"offset": 9990, "limit": 500}, headers=auth())).json()
        assert [m["row"] for m in last["items"]] == list(range(9991, 10_001))
        too_big = await client.get(url, params={"limit": 501}, headers=auth())
        assert too_big.status_code == 422

    @pytest.mark.parametrize(
        ("params", "total"),
        [
            ({"status": "error"}, 2000),
            ({"error_class": "auth_failed_source"}, 2000),
            ({"source_type": "pst"}, 1000),
            ({"q": "USER0001"}, 10),
            ({"q": "%"}, 0),
            ({"status": "pending", "source_type": "pst"}, 1000),
        ],
        ids=["status", "error-class", "source-type", "search", "search-escaped", "combined"],
    )
    async def test_filters(self, client, auth, big_job, params, total):
        page = await client.get(f"{API}/jobs/{big_job}/mailboxes", params=params, headers=auth())
        assert page.json()["total"] == total

    @pytest.mark.parametrize(
        ("sort", "key"),
        [("email", "source_email"), ("sync_percent", "sync_percent"), ("updated_at", "updated_at")],
    )
    async def test_sorting_both_ways(self, client, auth, big_job, sort, key):
        url = f"{API}/jobs/{big_job}/mailboxes"
        for order in ("asc", "desc"):
            params = {"sort": sort, "order": order, "limit": 200}
            items = (await client.get(url, params=params, headers=auth())).json()["items"]
            values = [m[key] for m in items]
            assert values == sorted(values, reverse=order == "desc")

    async def test_pages_of_a_sort_with_ties_cover_every_row_once(self, client, auth, big_job):
        url = f"{API}/jobs/{big_job}/mailboxes"
        seen: list[str] = []
        for offset in range(0, 10_000, 500):
            params = {"sort": "status", "limit": 500, "offset": offset}
            seen += [
                m["id"]
                for m in (await client.get(url, params=params, headers=auth())).json()["items"]
            ]
        assert len(seen) == len(set(seen)) == 10_000

    @pytest.mark.parametrize(
        "query",
        [
            {},
            {"order": "desc"},
            {"sort": "email"},
            {"status": "error"},
            {"error_class": "auth_failed_source"},
        ],
        ids=["row", "row-desc", "email", "status", "error-class"],
    )
    def test_the_page_query_uses_an_index(self, read_models_dsn, big_job, query):
        plan = _plan(read_models_dsn, MailboxQuery(job_id=big_job, **query))
        assert "migration_mailboxes_job" in plan
        assert "Seq Scan" not in plan

    async def test_unknown_job_is_404(self, client, auth):
        response = await client.get(f"{API}/jobs/{uuid.uuid4()}/mailboxes", headers=auth())
        assert response.status_code == 404


class TestMailboxAndRuns:
    async def test_mailbox_its_runs_newest_first_and_one_run(self, client, auth, read_models_dsn):
        job_id, mailbox_id = uuid.uuid4(), uuid.uuid4()
        runs = [uuid.uuid4() for _ in range(3)]
        seed_mailbox(read_models_dsn, job_id, mailbox_id)
        for minutes, run_id in enumerate(runs):
            seed_run(read_models_dsn, run_id, job_id, mailbox_id, run_type="initial",
                     status="success", minutes=minutes)  # fmt: skip
        mailbox = (await client.get(f"{API}/mailboxes/{mailbox_id}", headers=auth())).json()
        assert (mailbox["id"], mailbox["has_source_credentials"]) == (str(mailbox_id), False)
        page = (await client.get(f"{API}/mailboxes/{mailbox_id}/runs", headers=auth())).json()
        assert [r["id"] for r in page["items"]] == [str(r) for r in reversed(runs)]
        run = (await client.get(f"{API}/runs/{runs[0]}", headers=auth())).json()
        assert run["stats"] == {"transferred": 3}

    @pytest.mark.parametrize("path", ["mailboxes/{}", "mailboxes/{}/runs", "runs/{}"])
    async def test_unknown_ids_are_404(self, client, auth, path):
        response = await client.get(f"{API}/{path.format(uuid.uuid4())}", headers=auth())
        assert response.status_code == 404
