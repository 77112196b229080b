import pytest

from mailferry_api.middleware.idempotency_store import IdempotencyStore, idempotency_key
from mailferry_contracts.common import Role
from tests.integration.api.payloads import API, csv_file, job_body

pytestmark = pytest.mark.integration


def _keyed(auth, key: str, role: Role = Role.TECHNICIAN, user: str = "tech@example.com"):
    return {**auth(role, user), "Idempotency-Key": key}


class TestIdempotencyKey:
    async def test_a_retry_gets_the_first_response_and_appends_nothing(self, client, auth, bus):
        first = await client.post(f"{API}/jobs", json=job_body(), headers=_keyed(auth, "k-1"))
        again = await client.post(f"{API}/jobs", json=job_body(), headers=_keyed(auth, "k-1"))
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotency-replayed"] == "true"
        events, _ = await bus.events.load("job", first.json()["job_id"])
        assert len(events) == 1

    async def test_the_same_key_with_another_body_is_422(self, client, auth):
        await client.post(f"{API}/jobs", json=job_body(), headers=_keyed(auth, "k-2"))
        other = await client.post(
            f"{API}/jobs", json=job_body("other.example"), headers=_keyed(auth, "k-2")
        )
        assert other.status_code == 422
        assert other.json()["error"] == "idempotency_key_reused"

    async def test_keys_are_per_user(self, client, auth):
        one = await client.post(f"{API}/jobs", json=job_body(), headers=_keyed(auth, "k-3"))
        two = await client.post(
            f"{API}/jobs", json=job_body(), headers=_keyed(auth, "k-3", Role.OPS_LEAD, "lead")
        )
        assert one.json()["job_id"] != two.json()["job_id"]

    async def test_a_key_still_running_is_409(self, client, auth, app):
        path = f"{API}/jobs?"
        store = IdempotencyStore(app.state.resources.idempotency, pending_s=60)
        await store.claim(idempotency_key("tech@example.com", "POST", path, "k-4"))
        response = await client.post(f"{API}/jobs", json=job_body(), headers=_keyed(auth, "k-4"))
        assert response.status_code == 409
        assert response.json()["error"] == "idempotency_busy"

    async def test_a_route_that_reads_no_body_is_replayed_too(self, client, auth, bus):
        created = await client.post(f"{API}/jobs", json=job_body(), headers=auth())
        job_id = created.json()["job_id"]
        url = f"{API}/jobs/{job_id}/preflight"
        first = await client.post(url, headers=_keyed(auth, "k-5"))
        again = await client.post(url, headers=_keyed(auth, "k-5"))
        assert first.status_code == again.status_code == 202
        assert again.json() == first.json()

    async def test_errors_are_replayed_but_server_errors_are_not_kept(self, client, auth):
        bad = {**job_body(), "domain": "bad domain"}
        first = await client.post(f"{API}/jobs", json=bad, headers=_keyed(auth, "k-6"))
        again = await client.post(f"{API}/jobs", json=bad, headers=_keyed(auth, "k-6"))
        assert first.status_code == again.status_code == 422
        assert again.headers.get("idempotency-replayed") == "true"

    async def test_a_multipart_upload_retried_with_a_new_boundary_is_replayed(
        self, client, auth, bus
    ):
        job_id = (await client.post(f"{API}/jobs", json=job_body(), headers=auth())).json()[
            "job_id"
        ]
        url = f"{API}/jobs/{job_id}/mailboxes"
        responses = []
        for boundary in ("first-boundary-1", "second-boundary-22"):
            headers = {
                **_keyed(auth, "k-7"),
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            }
            body = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="m.csv"\r\nContent-Type: text/csv\r\n\r\n'
                f"{csv_file(2).decode()}\r\n--{boundary}--\r\n"
            ).encode()
            responses.append(await client.post(url, content=body, headers=headers))
        assert [r.status_code for r in responses] == [201, 201]
        assert responses[1].json() == responses[0].json()
        assert responses[1].headers["idempotency-replayed"] == "true"
