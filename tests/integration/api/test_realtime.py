"""Live streams over a real HTTP server: snapshot, coalesced progress, changes once projected."""

import asyncio
import contextlib
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from fastapi import FastAPI

from mailferry_bus import Bus, utc_now
from mailferry_contracts import encode, new_envelope, subjects, system_actor
from mailferry_contracts.common import Role, RunType
from mailferry_contracts.jobs import JobNotesUpdated
from mailferry_contracts.runs import RunProgress
from mailferry_devstack.ports import free_port
from tests.fixtures.waiting import wait_for
from tests.integration.api.payloads import API
from tests.integration.api.seed import seed_job

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture
async def server(app: FastAPI) -> AsyncIterator[str]:
    """The app behind a real uvicorn on loopback (ASGITransport buffers whole responses)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    uv = uvicorn.Server(config)
    task = asyncio.create_task(uv.serve())
    await wait_for(lambda: uv.started, what="uvicorn start")
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    await task


@dataclass
class Stream:
    """Server-sent events read in the background, with when each arrived."""

    events: list[tuple[float, str, dict[str, Any], str | None]] = field(default_factory=list)
    status: int | None = None

    def of(self, name: str) -> list[dict[str, Any]]:
        return [data for _, kind, data, _ in self.events if kind == name]


async def _read(http: httpx.AsyncClient, url: str, headers: dict[str, str], out: Stream) -> None:
    headers = {**headers, "Accept": "text/event-stream"}  # as EventSource sends it
    async with http.stream("GET", url, headers=headers) as response:
        out.status = response.status_code
        kind, data, event_id = "message", "", None
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
            elif line.startswith("id:"):
                event_id = line[3:].strip()
            elif line == "" and data:
                out.events.append((time.monotonic(), kind, json.loads(data), event_id))
                kind, data, event_id = "message", "", None


@contextlib.asynccontextmanager
async def listening(server: str, path: str, headers: dict[str, str]) -> AsyncIterator[Stream]:
    out = Stream()
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        task = asyncio.create_task(_read(http, f"{API}{path}", headers, out))
        try:
            await wait_for(lambda: out.of("ready") or task.done(), what="the ready event")
            yield out
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _bus(app: FastAPI) -> Bus:
    bus: Bus = app.state.resources.bus
    return bus


async def publish_progress(bus: Bus, job: uuid.UUID, mailbox: uuid.UUID, done: int, total: int):
    run = uuid.uuid5(mailbox, "run")
    progress = RunProgress(
        run_id=run, job_id=job, mailbox_id=mailbox, run_type=RunType.INITIAL, folder="INBOX",
        messages_done=done, messages_total=total, rate_messages=10.0,
        percent=100.0 * done / total,
    )  # fmt: skip
    env = new_envelope(progress, aggregate_id=str(run), actor=system_actor("test"), now=utc_now())
    await bus.js.publish(
        subjects.progress_subject(str(job), str(mailbox)), encode(env),
        stream=subjects.PROGRESS_STREAM,
    )  # fmt: skip


def set_projected(dsn: str, seq: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO projection_tracking (name, stream, last_seq) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET last_seq = EXCLUDED.last_seq",
            [subjects.PROJECTOR_DURABLE, subjects.EVENTS_STREAM, seq],
        )


def _latest_percent(stream: Stream, mailbox: uuid.UUID) -> float | None:
    found = [
        p["percent"]
        for update in stream.of("update")
        for p in update["progress"]
        if p["mailbox_id"] == str(mailbox)
    ]
    return found[-1] if found else None


class TestJobStream:
    async def test_a_burst_of_300_reports_arrives_coalesced_and_ends_on_the_last_values(
        self, app, server, auth, read_models_dsn
    ):
        job, mailboxes = uuid.uuid4(), [uuid.uuid4() for _ in range(20)]
        seed_job(read_models_dsn, job)
        async with listening(server, f"/live/jobs/{job}", auth()) as stream:
            started = time.monotonic()
            for step in range(1, 16):
                for mailbox in mailboxes:
                    await publish_progress(_bus(app), job, mailbox, step, 15)
            await wait_for(
                lambda: all(_latest_percent(stream, m) == 100.0 for m in mailboxes),
                what="every mailbox at 100 %",
            )
            elapsed = time.monotonic() - started
        updates = stream.of("update")
        print(f"300 reports in {elapsed:.2f} s -> {len(updates)} updates")  # noqa: T201
        assert len(updates) < 300 / 10
        assert updates[-1]["totals"]["percent"] == 100.0
        assert updates[-1]["totals"]["messages_done"] == 20 * 15
        times = [t for t, kind, _, _ in stream.events if kind == "update"]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        print(f"smallest gap between updates: {min(gaps, default=0):.3f} s")  # noqa: T201

    async def test_a_change_is_announced_only_once_the_projector_applied_it(
        self, app, server, auth, read_models_dsn
    ):
        job, marker = uuid.uuid4(), uuid.uuid4()
        seed_job(read_models_dsn, job)
        set_projected(read_models_dsn, 0)
        async with listening(server, f"/live/jobs/{job}", auth()) as stream:
            seq = await _append_note(_bus(app).events, job)
            await publish_progress(_bus(app), job, marker, 1, 2)
            await wait_for(lambda: _latest_percent(stream, marker) == 50.0, what="the marker")
            assert all(not u["changed"] for u in stream.of("update"))

            set_projected(read_models_dsn, seq)
            await wait_for(
                lambda: any("JobNotesUpdated" in u["changed"] for u in stream.of("update")),
                what="the change",
            )
        changed = next(u for u in stream.of("update") if u["changed"])
        assert changed["position"] == seq

    async def test_the_ready_snapshot_holds_the_mailboxes_at_work(
        self, app, server, auth, read_models_dsn
    ):
        job, busy, done = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        seed_job(read_models_dsn, job)
        await publish_progress(_bus(app), job, busy, 3, 10)
        await publish_progress(_bus(app), job, done, 10, 10)
        async with listening(server, f"/live/jobs/{job}", auth(Role.AUDITOR)) as stream:
            [ready] = stream.of("ready")
        assert [p["mailbox_id"] for p in ready["progress"]] == [str(busy)]
        assert ready["totals"]["messages_done"] == 13
        assert ready["totals"]["messages_total"] == 20

    async def test_a_reconnection_gets_a_fresh_snapshot_and_live_updates_again(
        self, app, server, auth, read_models_dsn
    ):
        job, mailbox = uuid.uuid4(), uuid.uuid4()
        seed_job(read_models_dsn, job)
        set_projected(read_models_dsn, 7)
        async with listening(server, f"/live/jobs/{job}", auth()) as first:
            await publish_progress(_bus(app), job, mailbox, 1, 4)
            await wait_for(lambda: _latest_percent(first, mailbox) == 25.0, what="first update")
        last_id = first.events[0][3]
        headers = {**auth(), "Last-Event-ID": str(last_id)}
        async with listening(server, f"/live/jobs/{job}", headers) as second:
            [ready] = second.of("ready")
            await publish_progress(_bus(app), job, mailbox, 2, 4)
            await wait_for(lambda: _latest_percent(second, mailbox) == 50.0, what="second update")
        assert last_id == "7"
        assert ready["progress"][0]["percent"] == 25.0

    async def test_a_client_not_asking_for_events_gets_the_snapshot_as_json(
        self, app, client, auth, read_models_dsn
    ):
        job, busy = uuid.uuid4(), uuid.uuid4()
        seed_job(read_models_dsn, job)
        set_projected(read_models_dsn, 5)
        await publish_progress(_bus(app), job, busy, 1, 4)
        response = await client.get(f"{API}/live/jobs/{job}", headers=auth())
        listing = await client.get(f"{API}/live/jobs", headers=auth())
        assert response.headers["content-type"] == "application/json"
        assert response.json()["position"] == 5
        assert [p["percent"] for p in response.json()["progress"]] == [25.0]
        assert listing.json() == {"position": 5}

    async def test_unknown_job_is_404_and_no_credentials_401(self, server, auth):
        async with httpx.AsyncClient(base_url=server) as http:
            missing = await http.get(f"{API}/live/jobs/{uuid.uuid4()}", headers=auth())
            anonymous = await http.get(f"{API}/live/jobs")
        assert missing.status_code == 404
        assert anonymous.status_code == 401


class TestJobsStream:
    async def test_lists_changed_jobs_and_live_totals_per_job(
        self, app, server, auth, read_models_dsn
    ):
        job, other = uuid.uuid4(), uuid.uuid4()
        seed_job(read_models_dsn, job)
        set_projected(read_models_dsn, 10**9)
        async with listening(server, "/live/jobs", auth()) as stream:
            await _append_note(_bus(app).events, job)
            await publish_progress(_bus(app), other, uuid.uuid4(), 5, 10)
            await wait_for(
                lambda: (
                    any(str(job) in u["changed"] for u in stream.of("update"))
                    and any(str(other) in u["progress"] for u in stream.of("update"))
                ),
                what="the change and the progress",
            )
        totals = next(u["progress"][str(other)] for u in stream.of("update") if u["progress"])
        assert totals["percent"] == 50.0


async def _append_note(events, job: uuid.UUID) -> int:
    """A JobNotesUpdated on the real log (a job aggregate of its own: no JobCreated needed)."""
    env = new_envelope(
        JobNotesUpdated(notes="live"), aggregate_id=str(job),
        actor=system_actor("test"), now=utc_now(),
    )  # fmt: skip
    [seq] = await events.append([env])
    return int(seq)
