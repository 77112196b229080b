"""POST jobs/{id}/upload-pst: streamed into the uploads store, detected, limited, deduplicated."""

import hashlib
import io
import uuid
import zipfile
from pathlib import Path

import httpx
import pytest

from mailferry_api.main import create_app
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import Role
from mailferry_contracts.jobs import UploadStored
from tests.integration.api.payloads import API, job_body

pytestmark = pytest.mark.integration
PST_DATA = Path(__file__).resolve().parents[2] / "data" / "pst"
PST = (PST_DATA / "gopst-support.pst").read_bytes()
MBOX = b"From a@b Thu Jan  1 00:00:00 2020\nSubject: hi\n\nhello\n"


def eml_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Inbox/a.eml", b"Subject: a\n\nbody\n")
    return buffer.getvalue()


async def upload_job(client, auth) -> tuple[str, dict[str, str]]:
    """A job with a pst, an mbox and an imap mailbox (ids by source type)."""
    job_id = (await client.post(f"{API}/jobs", json=job_body(), headers=auth())).json()["job_id"]
    body = [
        {"source_email": f"{kind}@example.com", "source_type": kind, "source_password": "p"}
        for kind in ("pst", "mbox", "imap")
    ]
    imported = await client.post(f"{API}/jobs/{job_id}/mailboxes", json=body, headers=auth())
    assert imported.status_code in (200, 201), imported.text
    return job_id, dict(zip(("pst", "mbox", "imap"), imported.json()["mailbox_ids"], strict=True))


def form(mailbox_id: str, data: bytes, filename: str = "alice.pst", **fields: str):
    return {"data": {"mailbox_id": mailbox_id, **fields}, "files": {"file": (filename, data)}}


async def stored_object(bus, name: str) -> bytes:
    store = await bus.js.object_store(subj.UPLOADS_OBJECTS)
    return (await store.get(name)).data or b""


async def upload_events(bus, job_id: str) -> list[UploadStored]:
    events, _ = await bus.events.load("job", job_id)
    return [e.envelope.payload for e in events if isinstance(e.envelope.payload, UploadStored)]


class TestUpload:
    async def test_a_pst_is_stored_with_its_digest_and_announced(self, client, auth, bus):
        job_id, boxes = await upload_job(client, auth)
        response = await client.post(
            f"{API}/jobs/{job_id}/upload-pst",
            **form(boxes["pst"], PST, filename="../../etc/Alice's mail.pst"),
            headers=auth(),
        )
        assert response.status_code == 201, response.text
        out = response.json()
        assert (out["kind"], out["size_bytes"], out["sha256"]) == (
            "pst", len(PST), hashlib.sha256(PST).hexdigest(),
        )  # fmt: skip
        assert (out["filename"], out["duplicate_of"]) == ("Alice's mail.pst", None)
        [event] = await upload_events(bus, job_id)
        assert event.object_name == f"uploads/{job_id}/{boxes['pst']}/{out['upload_id']}"
        assert await stored_object(bus, event.object_name) == PST

    async def test_the_same_content_again_is_a_duplicate_and_not_stored_twice(
        self, client, auth, bus
    ):
        job_id, boxes = await upload_job(client, auth)
        url = f"{API}/jobs/{job_id}/upload-pst"
        first = (await client.post(url, **form(boxes["pst"], PST), headers=auth())).json()
        again = await client.post(url, **form(boxes["pst"], PST, "copy.pst"), headers=auth())
        assert again.status_code == 201
        assert again.json()["duplicate_of"] == first["upload_id"]
        events = await upload_events(bus, job_id)
        assert [e.object_name for e in events] == [events[0].object_name] * 2
        store = await bus.js.object_store(subj.UPLOADS_OBJECTS)
        names = {info.name for info in await store.list(ignore_deletes=True)}
        assert f"uploads/{job_id}/{boxes['pst']}/{again.json()['upload_id']}" not in names
        other = await client.post(url, **form(boxes["mbox"], PST), headers=auth())
        assert other.json()["duplicate_of"] is None  # another mailbox: its own copy

    @pytest.mark.parametrize(
        ("data", "kind"), [(MBOX, "mbox"), (b"\n\n" + MBOX, "mbox"), (eml_zip(), "eml_zip")]
    )
    async def test_the_kind_is_detected_from_the_first_bytes(self, client, auth, data, kind):
        job_id, boxes = await upload_job(client, auth)
        response = await client.post(
            f"{API}/jobs/{job_id}/upload-pst", **form(boxes["mbox"], data, "x.bin"),
            headers=auth(),
        )  # fmt: skip
        assert (response.status_code, response.json()["kind"]) == (201, kind)

    async def test_the_mailbox_id_may_follow_the_file(self, client, auth):
        job_id, boxes = await upload_job(client, auth)
        boundary = "b0undary"
        disposition = 'Content-Disposition: form-data; name="file"; filename="m.mbox"'
        body = (
            (
                f"--{boundary}\r\n{disposition}\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + MBOX
            + (
                f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="mailbox_id"\r\n\r\n'
                f"{boxes['mbox']}\r\n--{boundary}--\r\n"
            ).encode()
        )
        response = await client.post(
            f"{API}/jobs/{job_id}/upload-pst", content=body,
            headers={**auth(), "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )  # fmt: skip
        assert response.status_code == 201, response.text


class TestRefusals:
    @pytest.mark.parametrize(
        ("data", "query", "code"),
        [
            ((PST_DATA / "not-a-pst.pst").read_bytes(), "", "unknown_file_kind"),
            (b"", "", "unknown_file_kind"),
            (PST, "?kind=mbox", "unknown_file_kind"),
        ],
        ids=["not-a-pst", "empty", "kind-mismatch"],
    )
    async def test_files_that_are_not_what_they_claim(self, client, auth, bus, data, query, code):
        job_id, boxes = await upload_job(client, auth)
        response = await client.post(
            f"{API}/jobs/{job_id}/upload-pst{query}", **form(boxes["pst"], data), headers=auth()
        )
        assert (response.status_code, response.json()["error"]) == (422, code)
        assert await upload_events(bus, job_id) == []

    async def test_a_body_cut_inside_the_file_stores_nothing(self, client, auth, bus):
        job_id, boxes = await upload_job(client, auth)
        body = (
            f'--b\r\nContent-Disposition: form-data; name="mailbox_id"\r\n\r\n{boxes["pst"]}\r\n'
            '--b\r\nContent-Disposition: form-data; name="file"; filename="a.pst"\r\n\r\n'
        ).encode() + PST[:5000]
        response = await client.post(
            f"{API}/jobs/{job_id}/upload-pst", content=body,
            headers={**auth(), "Content-Type": "multipart/form-data; boundary=b"},
        )  # fmt: skip
        assert (response.status_code, response.json()["error"]) == (422, "bad_multipart")
        assert await upload_events(bus, job_id) == []

    async def test_mailboxes_that_take_no_upload(self, client, auth):
        job_id, boxes = await upload_job(client, auth)
        url = f"{API}/jobs/{job_id}/upload-pst"
        imap = await client.post(url, **form(boxes["imap"], PST), headers=auth())
        stranger = await client.post(url, **form(str(uuid.uuid4()), PST), headers=auth())
        missing = await client.post(url, files={"file": ("a.pst", PST)}, headers=auth())
        assert (imap.status_code, imap.json()["error"]) == (422, "not_an_upload_mailbox")
        assert (stranger.status_code, stranger.json()["error"]) == (404, "mailbox_not_found")
        assert (missing.status_code, missing.json()["error"]) == (422, "missing_field")

    async def test_unknown_job_and_wrong_role(self, client, auth):
        job_id, boxes = await upload_job(client, auth)
        unknown = await client.post(
            f"{API}/jobs/{uuid.uuid4()}/upload-pst", **form(boxes["pst"], PST), headers=auth()
        )
        auditor = await client.post(
            f"{API}/jobs/{job_id}/upload-pst", **form(boxes["pst"], PST),
            headers=auth(Role.AUDITOR, "audit@example.com"),
        )  # fmt: skip
        assert unknown.status_code == 404
        assert auditor.status_code == 403


class TestLimit:
    @pytest.fixture
    async def small_client(self, api_settings):
        settings = api_settings.model_copy(update={"max_pst_gb": 200_000 / 1024**3})
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
                yield c

    async def test_a_declared_length_over_the_limit_is_refused_before_reading(
        self, small_client, auth, bus
    ):
        job_id, _ = await upload_job(small_client, auth)
        read = 0

        async def body():
            nonlocal read
            for _ in range(100):
                read += 1
                yield b"x" * 10_000

        response = await small_client.post(
            f"{API}/jobs/{job_id}/upload-pst", content=body(),
            headers={**auth(), "Content-Length": str(1_000_000),
                     "Content-Type": "multipart/form-data; boundary=x"},
        )  # fmt: skip
        assert response.status_code == 413
        assert read <= 1

    async def test_a_stream_over_the_limit_is_cut_and_nothing_stays_stored(
        self, small_client, auth, bus
    ):
        job_id, boxes = await upload_job(small_client, auth)
        upload_id = uuid.uuid4()
        big = PST + b"\0" * 300_000
        response = await small_client.post(
            f"{API}/jobs/{job_id}/upload-pst?upload_id={upload_id}",
            **form(boxes["pst"], big), headers=auth(),
        )  # fmt: skip
        assert response.status_code == 413
        assert await upload_events(bus, job_id) == []
        status = await small_client.get(f"{API}/jobs/{job_id}/uploads/{upload_id}", headers=auth())
        assert status.status_code == 404


class TestStatus:
    async def test_a_stored_upload_is_found_before_the_projector_has_it(self, client, auth):
        job_id, boxes = await upload_job(client, auth)
        upload_id = uuid.uuid4()
        created = await client.post(
            f"{API}/jobs/{job_id}/upload-pst?upload_id={upload_id}", **form(boxes["pst"], PST),
            headers=auth(),
        )  # fmt: skip
        assert created.json()["upload_id"] == str(upload_id)
        status = await client.get(f"{API}/jobs/{job_id}/uploads/{upload_id}", headers=auth())
        assert status.status_code == 200
        assert (status.json()["state"], status.json()["bytes_received"]) == ("stored", len(PST))
        taken = await client.post(
            f"{API}/jobs/{job_id}/upload-pst?upload_id={upload_id}", **form(boxes["mbox"], MBOX),
            headers=auth(),
        )  # fmt: skip
        assert taken.status_code == 409
