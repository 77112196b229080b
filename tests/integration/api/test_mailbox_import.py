import asyncio
import uuid
from pathlib import Path

import pytest

from mailferry_api.mailboxes.importer import DuplicateMailboxesError, ImportRequest, record_import
from mailferry_api.mailboxes.rows import MailboxRow
from mailferry_bus import utc_now
from mailferry_contracts.jobs import JobNotesUpdated, MailboxesImported
from tests.fixtures.factories import USER, envelope_of
from tests.integration.api.payloads import API, csv_file, job_body

pytestmark = pytest.mark.integration

SECRET_MARK = "Sup3r-Secret-Pa55"


async def _job(client, auth) -> str:
    response = await client.post(f"{API}/jobs", json=job_body(), headers=auth())
    return str(response.json()["job_id"])


async def _upload(client, auth, job_id, data: bytes, **params):
    files = {"file": ("mailboxes.csv", data, "text/csv")}
    return await client.post(
        f"{API}/jobs/{job_id}/mailboxes", files=files, params=params, headers=auth()
    )


def _imported(events):
    return [e.envelope.payload for e in events if isinstance(e.envelope.payload, MailboxesImported)]


def _store_bytes(nats_server) -> bytes:
    store = getattr(nats_server, "store_dir", None)
    if store is None:
        pytest.skip("external NATS: its store is not readable here")
    return b"".join(p.read_bytes() for p in Path(store).rglob("*") if p.is_file())


class TestCsvImport:
    async def test_three_rows_become_refs_in_the_log_and_secrets_in_the_vault(
        self, client, auth, bus, app, nats_server
    ):
        job_id = await _job(client, auth)
        response = await _upload(client, auth, job_id, csv_file(3, password=SECRET_MARK))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["count"] == 3
        assert SECRET_MARK not in response.text
        events, _ = await bus.events.load("job", job_id)
        [imported] = _imported(events)
        specs = imported.mailboxes
        assert [s.source_email for s in specs] == [f"user{i}@example.com" for i in range(3)]
        assert [str(s.mailbox_id) for s in specs] == body["mailbox_ids"]
        vault = app.state.resources.vault
        secret = await vault.get(specs[1].source_credential_ref, mailbox_id=specs[1].mailbox_id)
        assert secret == f"{SECRET_MARK}-src-1"
        assert all(SECRET_MARK.encode() not in e.raw for e in events)
        assert SECRET_MARK.encode() not in _store_bytes(nats_server)

    async def test_semicolons_bom_and_exchange_headers_as_a_csv_body(self, client, auth, bus):
        job_id = await _job(client, auth)
        data = "\ufeffEmailAddress;UserName;Password\r\nann@example.com;ann;pw1\r\n".encode()
        response = await client.post(
            f"{API}/jobs/{job_id}/mailboxes",
            content=data,
            headers={**auth(), "Content-Type": "text/csv; charset=utf-8"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["warnings"]
        events, _ = await bus.events.load("job", job_id)
        [spec] = _imported(events)[0].mailboxes
        assert (spec.source_email, spec.source_user, spec.target_credential_ref) == (
            "ann@example.com",
            "ann",
            None,
        )

    async def test_invalid_rows_are_all_reported_and_nothing_is_appended(
        self, client, auth, bus, app
    ):
        job_id = await _job(client, auth)
        _, head_before = await bus.events.load("job", job_id)
        refs_before = set(await app.state.resources.vault.references())
        data = (
            b"source_email,source_password,target_email,target_password\n"
            b"ok@example.com,pw,ok@new.example,pw\n"
            b"not-an-email,pw,x@new.example,pw\n"
            b"ok@example.com,pw,y@new.example,pw\n"
            b"-o@example.com,pw,z@new.example,\n"
        )
        response = await _upload(client, auth, job_id, data)
        assert response.status_code == 422
        details = response.json()["details"]
        assert "header line is line 1" in details["numbering"]
        lines = sorted({(e["line"], e["field"]) for e in details["errors"]})
        assert lines == [
            (3, "source_email"),
            (4, "source_email"),
            (5, "source_email"),
            (5, "source_user"),
            (5, "target_password"),
        ]
        _, head_after = await bus.events.load("job", job_id)
        assert head_after == head_before
        assert set(await app.state.resources.vault.references()) == refs_before

    async def test_dry_run_previews_without_saving(self, client, auth, bus):
        job_id = await _job(client, auth)
        response = await _upload(client, auth, job_id, csv_file(2), dry_run="true")
        assert response.status_code == 200
        preview = response.json()
        assert preview["valid"] is True
        assert [r["line"] for r in preview["rows"]] == [2, 3]
        assert preview["rows"][0]["has_source_password"] is True
        assert "pw-src" not in response.text
        events, _ = await bus.events.load("job", job_id)
        assert _imported(events) == []

    async def test_addresses_already_in_the_job_are_duplicates(self, client, auth):
        job_id = await _job(client, auth)
        assert (await _upload(client, auth, job_id, csv_file(2))).status_code == 201
        response = await _upload(client, auth, job_id, csv_file(2, start=1))
        assert response.status_code == 422
        [error] = response.json()["details"]["errors"]
        assert error["line"] == 2
        assert "already a mailbox" in error["message"]

    async def test_ten_thousand_rows_are_one_atomic_append_of_twenty_batches(
        self, client, auth, bus
    ):
        job_id = await _job(client, auth)
        response = await _upload(client, auth, job_id, csv_file(10_000))
        assert response.status_code == 201, response.text[:500]
        assert response.json()["count"] == 10_000
        events, _ = await bus.events.load("job", job_id)
        batches = _imported(events)
        assert [b.batch for b in batches] == list(range(1, 21))
        assert {len(b.mailboxes) for b in batches} == {500}
        assert len({b.import_id for b in batches}) == 1


class TestJsonImport:
    async def test_one_object_or_a_list(self, client, auth, bus):
        job_id = await _job(client, auth)
        one = {"source_email": "a@example.com", "source_password": SECRET_MARK}
        many = [
            {"source_email": "b@example.com", "source_password": "x", "source_type": "imap"},
            {"source_email": "c@example.com", "source_type": "pst"},
        ]
        for body, count in ((one, 1), (many, 2)):
            response = await client.post(
                f"{API}/jobs/{job_id}/mailboxes", json=body, headers=auth()
            )
            assert response.status_code == 201, response.text
            assert response.json()["count"] == count
        events, _ = await bus.events.load("job", job_id)
        assert [b.origin for b in _imported(events)] == ["json", "json"]

    async def test_validation_errors_name_the_item_and_never_echo_passwords(self, client, auth):
        job_id = await _job(client, auth)
        body = [
            {"source_email": "a@example.com", "source_password": SECRET_MARK},
            {"source_email": "bad", "source_password": SECRET_MARK, "extra": SECRET_MARK},
        ]
        response = await client.post(f"{API}/jobs/{job_id}/mailboxes", json=body, headers=auth())
        assert response.status_code == 422
        assert SECRET_MARK not in response.text
        assert {e["line"] for e in response.json()["details"]["errors"]} == {2}


class TestLimits:
    async def test_a_declared_size_over_the_limit_is_413(self, client, auth):
        job_id = await _job(client, auth)
        response = await _upload(client, auth, job_id, b"x" * (3 * 1024 * 1024))
        assert response.status_code == 413
        assert response.json()["error"] == "payload_too_large"

    async def test_fifty_megabytes_streamed_are_refused_while_streaming(self, client, auth):
        job_id = await _job(client, auth)
        sent = 0

        async def garbage():
            nonlocal sent
            for _ in range(50):
                sent += 1
                yield bytes(range(256)) * 4096

        response = await client.post(
            f"{API}/jobs/{job_id}/mailboxes",
            content=garbage(),
            headers={**auth(), "Content-Type": "text/csv"},
        )
        assert response.status_code == 413
        assert sent < 50

    async def test_other_content_types_are_415(self, client, auth):
        job_id = await _job(client, auth)
        response = await client.post(
            f"{API}/jobs/{job_id}/mailboxes",
            content=b"<xml/>",
            headers={**auth(), "Content-Type": "application/xml"},
        )
        assert response.status_code == 415


def _rows(*emails: str) -> list[MailboxRow]:
    return [
        MailboxRow(line=i + 2, row=i + 1, source_email=e, source_user=e, target_email=e,
                   target_user=e, source_password=f"{SECRET_MARK}{i}")
        for i, e in enumerate(emails)
    ]  # fmt: skip


class TestConcurrentImports:
    async def test_two_imports_of_the_same_address_one_wins(self, client, auth, bus):
        job_id = await _job(client, auth)
        first, second = await asyncio.gather(
            _upload(client, auth, job_id, csv_file(50)),
            _upload(client, auth, job_id, csv_file(50, start=49)),
        )
        assert sorted([first.status_code, second.status_code]) in ([201, 409], [201, 422])
        events, _ = await bus.events.load("job", job_id)
        emails = [s.source_email for b in _imported(events) for s in b.mailboxes]
        assert len(emails) == len(set(emails)) == 50

    async def test_a_stale_head_with_a_new_duplicate_destroys_the_stored_secrets(self, bus, app):
        resources = app.state.resources
        job_id = uuid.UUID(await _created_job(bus))
        _, stale = await bus.events.load("job", str(job_id))
        rival = ImportRequest(job_id, _rows("dup@example.com"), "json", USER, utc_now())
        await record_import(bus.events, resources.vault, rival, stale, concurrency=4)
        refs_before = set(await resources.vault.references())
        late = ImportRequest(job_id, _rows("new@example.com", "dup@example.com"), "csv", USER,
                             utc_now())  # fmt: skip
        with pytest.raises(DuplicateMailboxesError) as raised:
            await record_import(bus.events, resources.vault, late, stale, concurrency=4)
        assert [e.line for e in raised.value.errors] == [3]
        assert set(await resources.vault.references()) == refs_before

    async def test_a_stale_head_without_duplicates_is_retried(self, bus, app):
        job_id = uuid.UUID(await _created_job(bus))
        _, stale = await bus.events.load("job", str(job_id))
        await bus.events.append([envelope_of(JobNotesUpdated(notes="x"), str(job_id))])
        request = ImportRequest(job_id, _rows("a@example.com"), "csv", USER, utc_now())
        outcome = await record_import(
            bus.events, app.state.resources.vault, request, stale, concurrency=4
        )
        _, head = await bus.events.load("job", str(job_id))
        assert outcome.sequences == [head.sequence]


async def _created_job(bus) -> str:
    from mailferry_contracts.jobs import JobCreated
    from tests.fixtures.factories import EXAMPLES

    job_id = uuid.uuid4()
    created = JobCreated(**{**EXAMPLES["JobCreated"], "job_id": job_id})
    await bus.events.append([envelope_of(created, str(job_id))])
    return str(job_id)
