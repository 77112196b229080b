"""``audit verify`` names an altered and a deleted event in a copy of the log; ``timeline``."""

import io
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from nats.js.api import StreamConfig

from mailferry_api.audit.cli import run
from mailferry_api.audit.eventlog import read_raw
from mailferry_api.main import create_app
from mailferry_api.settings import ApiSettings
from mailferry_bus import Bus, BusSettings, open_bus
from mailferry_contracts import EVENT_HASH_HEADER, subjects
from mailferry_contracts.common import Role
from tests.integration.api.payloads import API, csv_file, job_body

pytestmark = pytest.mark.integration


@pytest.fixture
async def own(
    private_nats, api_settings: ApiSettings
) -> AsyncIterator[tuple[Bus, httpx.AsyncClient]]:
    """An API on a NATS server of this test alone, and a bus to it."""
    app = create_app(api_settings.model_copy(update={"nats_url": private_nats.url}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            bus = await open_bus(BusSettings(nats_url=private_nats.url), "tests", ensure=False)
            yield bus, http
            await bus.close()


async def _history(http: httpx.AsyncClient, auth) -> str:
    headers = auth(Role.TECHNICIAN, "tech@example.com")
    job_id = str(
        (await http.post(f"{API}/jobs", json=job_body(), headers=headers)).json()["job_id"]
    )
    for n in range(4):
        await http.patch(f"{API}/jobs/{job_id}", json={"notes": f"note {n}"}, headers=headers)
    await http.post(f"{API}/jobs/{job_id}/mailboxes", content=csv_file(2, password="cli-pw"),
                    headers={**headers, "Content-Type": "text/csv"})  # fmt: skip
    return job_id


async def _tampered_copy(bus: Bus, alter_seq: int, delete_seq: int | None = None) -> str:
    """Copy the log, headers and all, into a scratch stream, altering one event and deleting
    another."""
    name = f"SCRATCH_{uuid.uuid4().hex[:8]}"
    prefix = name.lower()
    await bus.js.add_stream(StreamConfig(name=name, subjects=[f"{prefix}.{subjects.all_events()}"]))
    head = (await bus.js.stream_info(subjects.EVENTS_STREAM)).state.last_seq
    for event in await read_raw(bus.js, subjects.EVENTS_STREAM, subjects.all_events(), head):
        assert event.stored_hash is not None  # every event is stored with its own hash
        data = event.data
        if event.seq == alter_seq:
            envelope = json.loads(data)
            envelope["actor"]["ip"] = "198.51.100.66"  # rewritten after the fact
            data = json.dumps(envelope).encode()
        headers = {EVENT_HASH_HEADER: event.stored_hash}
        ack = await bus.js.publish(f"{prefix}.{event.subject}", data, stream=name, headers=headers)
        assert ack.seq == event.seq
    if delete_seq is not None:
        await bus.js.delete_msg(name, delete_seq)
    return name


async def _verify(bus_url: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    status = await run(["verify", *args], BusSettings(nats_url=bus_url), out)
    return status, out.getvalue()


class TestVerify:
    async def test_the_real_log_is_intact(self, own, auth, private_nats):
        _, http = own
        job_id = await _history(http, auth)
        status, out = await _verify(private_nats.url, "--all")
        assert (status, out.split(":")[0]) == (0, "OK")
        assert (await _verify(private_nats.url, "--job", job_id))[0] == 0

    async def test_an_altered_and_a_deleted_event_are_both_named(self, own, auth, private_nats):
        bus, http = own
        job_id = await _history(http, auth)
        events, _ = await bus.events.load("job", job_id)
        notes = [e for e in events if e.envelope.type == "JobNotesUpdated"]
        altered, deleted = notes[0], notes[2]
        scratch = await _tampered_copy(bus, altered.sequence, deleted.sequence)
        for scope in (["--all"], ["--job", job_id]):
            status, out = await _verify(private_nats.url, *scope, "--stream", scratch)
            assert status == 1, out
            assert out.startswith("TAMPERED")
            assert f"ALTERED seq {altered.sequence} job/{job_id} JobNotesUpdated" in out
            assert f"MISSING seq {deleted.sequence} job/{job_id}" in out
            assert len(out.strip().splitlines()) == 3, out

    async def test_the_last_event_of_a_job_deleted_is_named(self, own, auth, private_nats):
        bus, http = own
        job_id = await _history(http, auth)
        events, _ = await bus.events.load("job", job_id)
        last = events[-1].sequence
        scratch = await _tampered_copy(bus, alter_seq=0, delete_seq=last)
        for scope in (["--all"], ["--job", job_id]):
            status, out = await _verify(private_nats.url, *scope, "--stream", scratch)
            assert status == 1, out
            assert f"MISSING seq {last}" in out

    async def test_the_last_event_of_an_aggregate_altered_is_named(self, own, auth, private_nats):
        bus, http = own
        job_id = await _history(http, auth)
        events, _ = await bus.events.load("job", job_id)
        last = events[-1]
        scratch = await _tampered_copy(bus, last.sequence)
        for scope in (["--all"], ["--job", job_id]):
            status, out = await _verify(private_nats.url, *scope, "--stream", scratch)
            assert status == 1, out
            assert f"ALTERED seq {last.sequence} job/{job_id} {last.envelope.type}" in out
            assert len(out.strip().splitlines()) == 2, out


class TestTimeline:
    async def test_a_readable_history_without_secrets(self, own, auth, private_nats):
        _, http = own
        job_id = await _history(http, auth)
        out = io.StringIO()
        status = await run(
            ["timeline", "--job", job_id], BusSettings(nats_url=private_nats.url), out
        )
        lines = out.getvalue().strip().splitlines()
        assert status == 0
        assert [line.split()[3] for line in lines] == [
            "JobCreated", *["JobNotesUpdated"] * 4, "MailboxesImported",
        ]  # fmt: skip
        assert "tech@example.com (technician) from 203.0.113.7 [pytest-agent]" in lines[0]
        assert "notes=note 0" in lines[1]
        text = out.getvalue()
        assert "cli-pw" not in text
        assert "cred:" not in text
