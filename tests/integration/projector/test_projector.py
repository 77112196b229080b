import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid

import pytest

from mailferry_bus import BusSettings, open_bus
from mailferry_contracts import encode, subjects
from mailferry_contracts.jobs import JobCreated
from mailferry_devstack.ports import free_port
from mailferry_projector.lag import stream_last_seq
from mailferry_projector.rebuild import rebuild
from tests.fixtures.factories import EXAMPLES, envelope_of, example
from tests.fixtures.waiting import wait_for
from tests.integration.projector import journey
from tests.integration.projector.conftest import (
    RunningProjector,
    append_all,
    applied_seq,
    dump,
    fetch,
)

pytestmark = pytest.mark.integration


def _created(job: uuid.UUID):
    return envelope_of(JobCreated(**{**EXAMPLES["JobCreated"], "job_id": job}), str(job))


async def _count(dsn, table):
    [row] = await fetch(dsn, f"SELECT count(*) AS n FROM {table}")  # noqa: S608 - test tables
    return row["n"]


class TestRestart:
    async def test_a_projector_stopped_mid_stream_catches_up_without_duplicates(
        self, log_bus, projector, pg_dsn
    ):
        projector.settings = projector.settings.model_copy(update={"projector_batch_size": 7})
        trips = [journey.build(), journey.build()]
        await append_all(log_bus, trips[0].envelopes)
        await projector.start()
        await wait_for(projector.applied, what="a first batch")
        await projector.stop()
        last = await append_all(log_bus, trips[1].envelopes)
        await projector.start()
        await projector.wait_applied(last)
        assert await _count(pg_dsn, "audit_log") == 2 * len(journey.AUDITED_TYPES)
        assert await _count(pg_dsn, "migration_runs") == 14
        await rebuild(log_bus.js, pg_dsn, "scratch")
        assert await dump(pg_dsn, "public") == await dump(pg_dsn, "scratch")

    async def test_a_killed_process_resumes_from_its_tracked_position(
        self, log_bus, private_nats, pg_dsn
    ):
        trips = [journey.build() for _ in range(8)]
        last = await append_all(log_bus, [e for t in trips for e in t.envelopes])
        port = free_port()
        env = {
            **os.environ,
            "MIGRATION_NATS_URL": private_nats.url,
            "MIGRATION_DATABASE_URL": pg_dsn,
            "MIGRATION_PROJECTOR_BATCH_SIZE": "10",
            "MIGRATION_HEALTH_PORT": str(port),
        }
        first = subprocess.Popen([sys.executable, "-m", "mailferry_projector"], env=env)
        try:
            await wait_for(lambda: _applied(pg_dsn), timeout=30, what="a first batch")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        second = subprocess.Popen([sys.executable, "-m", "mailferry_projector", "run"], env=env)
        try:
            await wait_for(lambda: _healthy(port, last), timeout=60, what="caught up")
        finally:
            second.terminate()
            assert second.wait(30) == 0
        assert await _count(pg_dsn, "audit_log") == 8 * len(journey.AUDITED_TYPES)
        assert await _count(pg_dsn, "migration_mailboxes") == 24
        lag = subprocess.run(
            [sys.executable, "-m", "mailferry_projector", "lag", "--json"],
            env=env,
            capture_output=True,
            check=True,
        )
        assert json.loads(lag.stdout) == {"stream_last_seq": last, "applied_seq": last, "lag": 0}


async def _applied(dsn):
    return await applied_seq(dsn)


async def _healthy(port, last):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    if head.split(b" ", 2)[1] != b"200":
        return False
    answer = json.loads(body)
    return answer["applied_seq"] == last and answer["role"] == "active"


class TestCommandLine:
    def test_bad_settings_stop_the_projector_naming_the_variable_not_its_value(self):
        env = {**os.environ, "MIGRATION_DATABASE_URL": "mysql://user:s3cret@db/x"}
        done = subprocess.run(
            [sys.executable, "-m", "mailferry_projector"], env=env, capture_output=True, check=False
        )
        assert done.returncode == 2
        assert b"MIGRATION_DATABASE_URL" in done.stderr
        assert b"s3cret" not in done.stderr


class TestLeadership:
    async def test_a_second_projector_stands_by_until_the_active_one_stops(
        self, log_bus, settings, projector, pg_dsn
    ):
        await projector.start()
        second = RunningProjector(settings)
        standby = second.launch()
        try:
            first = await append_all(log_bus, journey.build().envelopes)
            await projector.wait_applied(first)
            assert not standby.started.is_set()
            await projector.stop()
            await wait_for(standby.started.is_set, what="the standby taking over")
            last = await append_all(log_bus, journey.build().envelopes)
            await second.wait_applied(last)
        finally:
            await second.stop()
        assert await _count(pg_dsn, "audit_log") == 2 * len(journey.AUDITED_TYPES)


class TestBadEvents:
    async def test_undecodable_events_are_recorded_terminated_and_skipped(
        self, log_bus, projector, pg_dsn
    ):
        trip = journey.build()
        await append_all(log_bus, trip.envelopes[:1])
        newer = json.loads(encode(envelope_of(example("JobNotesUpdated"), str(trip.job))))
        unknown = {**newer, "id": str(uuid.uuid4()), "type": "JobTeleported"}
        command = encode(envelope_of(example("StartSync"), str(trip.job)))
        for type_name, data in (
            ("JobNotesUpdated", json.dumps({**newer, "schema_version": 9}).encode()),
            ("JobTeleported", json.dumps(unknown).encode()),
            ("StartSync", command),
            ("Garbage", b"\x00not json"),
        ):
            subject = subjects.event_subject("job", str(trip.job), type_name)
            headers = {"Nats-Msg-Id": str(uuid.uuid4())}
            await log_bus.js.publish(subject, data, stream=subjects.EVENTS_STREAM, headers=headers)
        last = await append_all(log_bus, trip.envelopes[1:])
        await projector.start()
        await projector.wait_applied(last)
        errors = await fetch(pg_dsn, "SELECT * FROM projection_errors ORDER BY seq")
        assert [(e["seq"], e["event_type"]) for e in errors] == [
            (2, "JobNotesUpdated"),
            (3, "JobTeleported"),
            (4, "StartSync"),
            (5, None),
        ]
        assert "v9 is newer than the v1" in errors[0]["reason"]
        assert "unknown message type" in errors[1]["reason"]
        assert "is a command, not an event" in errors[2]["reason"]
        assert await _count(pg_dsn, "migration_mailboxes") == 3
        info = await log_bus.js.consumer_info(subjects.EVENTS_STREAM, subjects.PROJECTOR_DURABLE)
        assert (info.num_ack_pending, info.num_pending) == (0, 0)


class Writer:
    """Appends JobCreated events as fast as it can; remembers the ones that got an ack."""

    def __init__(self, bus):
        self.bus = bus
        self.acked: list[uuid.UUID] = []
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._keep_writing())

    async def _keep_writing(self):
        while not self._stop.is_set():
            job = uuid.uuid4()
            try:
                await self.bus.events.append([_created(job)])
            except Exception:  # the server is down: wait for it
                await wait_for(lambda: self.bus.nc.is_connected, timeout=60)
                continue
            self.acked.append(job)

    async def stop(self):
        self._stop.set()
        await self._task


class TestNatsRestart:
    async def test_every_acknowledged_append_survives_a_nats_restart_and_is_projected(
        self, private_nats, projector, pg_dsn
    ):
        bus = await open_bus(BusSettings(nats_url=private_nats.url), "writer")
        await projector.start()
        writer = Writer(bus)
        try:
            await wait_for(lambda: len(writer.acked) >= 50, what="appends before the restart")
            await asyncio.to_thread(private_nats.stop)
            before = len(writer.acked)
            await asyncio.to_thread(private_nats.start)
            await wait_for(lambda: len(writer.acked) >= before + 50, timeout=60, what="appends")
        finally:
            await writer.stop()
        last = await stream_last_seq(bus.js)
        await projector.wait_applied(last, timeout=60)
        for job in writer.acked:
            assert (await bus.events.head("job", str(job))).sequence > 0
        rows = await fetch(pg_dsn, "SELECT id FROM migration_jobs")
        assert set(writer.acked) <= {r["id"] for r in rows}
        assert len(rows) == last
        await bus.close()
