"""Run logs (tail, follow, download) and live job progress, served from NATS streams."""

import asyncio
import uuid
from datetime import timedelta

import pytest

from mailferry_bus import utc_now
from mailferry_bus.runners import Redactor
from mailferry_bus.runners.run_log import RunLog
from mailferry_contracts import encode, new_envelope, system_actor
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import RunStatus, RunType, Tool
from mailferry_contracts.runs import RunFinished, RunProgress
from tests.fixtures.waiting import wait_for
from tests.integration.api.payloads import API
from tests.integration.api.seed import seed_job, seed_mailbox, seed_run

pytestmark = pytest.mark.integration
SECRET = "hunter2-very-secret"
ACTOR = system_actor("tests")


@pytest.fixture
def mailbox(read_models_dsn):
    job_id, mailbox_id = uuid.uuid4(), uuid.uuid4()
    seed_job(read_models_dsn, job_id)
    seed_mailbox(read_models_dsn, job_id, mailbox_id)
    return job_id, mailbox_id


def add_run(dsn, mailbox, minutes: int) -> uuid.UUID:
    job_id, mailbox_id = mailbox
    run_id = uuid.uuid4()
    seed_run(dsn, run_id, job_id, mailbox_id, run_type="initial", status="running", minutes=minutes)
    return run_id


async def write_log(bus, mailbox_id, run_id, lines, attempt=1, chunk_lines=10):
    """Lines through the runner's own RunLog (with the run's secret registered for masking)."""
    redactor = Redactor()
    redactor.add([SECRET])
    log = RunLog(
        bus.js, mailbox_id=str(mailbox_id), run_id=str(run_id), attempt=attempt, redact=redactor
    )
    for index, line in enumerate(lines, 1):
        log.write(line)
        if index % chunk_lines == 0:
            await log.flush()
    await log.flush()


async def finish(bus, mailbox, run_id):
    job_id, mailbox_id = mailbox
    event = RunFinished(
        run_id=run_id,
        job_id=job_id,
        mailbox_id=mailbox_id,
        run_type=RunType.INITIAL,
        tool=Tool.NATIVE,
        status=RunStatus.SUCCESS,
    )
    await bus.events.append(
        [new_envelope(event, aggregate_id=str(run_id), actor=ACTOR, now=utc_now())]
    )


class TestTail:
    async def test_the_last_lines_of_the_latest_run_without_any_secret(
        self, client, auth, bus, mailbox, read_models_dsn
    ):
        older, latest = add_run(read_models_dsn, mailbox, 1), add_run(read_models_dsn, mailbox, 2)
        await write_log(bus, mailbox[1], older, ["old run"])
        await write_log(bus, mailbox[1], latest, [f"line {i} PASS {SECRET}" for i in range(1, 51)])

        response = await client.get(f"{API}/mailboxes/{mailbox[1]}/logs?lines=5", headers=auth())

        assert response.status_code == 200
        body = response.json()
        assert body["run_id"] == str(latest)
        assert body["lines"] == [f"line {i} PASS [REDACTED]" for i in range(46, 51)]
        assert (body["total_lines"], body["truncated"]) == (50, True)
        assert SECRET not in response.text

    async def test_a_given_run_and_its_retried_attempt_are_marked(
        self, client, auth, bus, mailbox, read_models_dsn
    ):
        run = add_run(read_models_dsn, mailbox, 1)
        add_run(read_models_dsn, mailbox, 2)
        await write_log(bus, mailbox[1], run, ["first try", "connection refused"])
        await write_log(bus, mailbox[1], run, ["second try", "done"], attempt=2)

        response = await client.get(
            f"{API}/mailboxes/{mailbox[1]}/logs?run_id={run}", headers=auth()
        )

        assert response.json()["lines"] == [
            "first try",
            "connection refused",
            "--- attempt 2 ---",
            "second try",
            "done",
        ]

    async def test_unknown_mailbox_foreign_run_and_no_run_are_404(
        self, client, auth, mailbox, read_models_dsn
    ):
        other = (mailbox[0], uuid.uuid4())
        seed_mailbox(read_models_dsn, other[0], other[1])
        foreign = add_run(read_models_dsn, other, 1)

        unknown = await client.get(f"{API}/mailboxes/{uuid.uuid4()}/logs", headers=auth())
        no_run = await client.get(f"{API}/mailboxes/{mailbox[1]}/logs", headers=auth())
        wrong = await client.get(
            f"{API}/mailboxes/{mailbox[1]}/logs?run_id={foreign}", headers=auth()
        )

        assert [r.status_code for r in (unknown, no_run, wrong)] == [404, 404, 404]
        assert unknown.json()["error"] == "mailbox_not_found"
        assert wrong.json()["error"] == "run_not_found"

    async def test_reading_logs_needs_a_token(self, client, mailbox):
        response = await client.get(f"{API}/mailboxes/{mailbox[1]}/logs")
        assert response.status_code == 401


class TestDownload:
    async def test_the_whole_log_as_text(self, client, auth, bus, mailbox, read_models_dsn):
        run = add_run(read_models_dsn, mailbox, 1)
        await write_log(bus, mailbox[1], run, [f"line {i} {SECRET}" for i in range(1, 1001)])

        response = await client.get(
            f"{API}/mailboxes/{mailbox[1]}/logs?download=true", headers=auth()
        )

        assert response.headers["content-type"].startswith("text/plain")
        assert "attachment" in response.headers["content-disposition"]
        lines = response.text.splitlines()
        assert len(lines) == 1000
        assert lines[0] == "line 1 [REDACTED]"
        assert SECRET not in response.text


class TestFollow:
    async def test_follow_sends_the_tail_then_new_lines_until_the_run_finishes(
        self, client, auth, bus, mailbox, read_models_dsn
    ):
        run = add_run(read_models_dsn, mailbox, 1)
        await write_log(bus, mailbox[1], run, [f"early {i}" for i in range(1, 21)])
        url = f"{API}/mailboxes/{mailbox[1]}/logs?follow=true&lines=3"

        consumers = await _log_consumers(bus)
        request = asyncio.create_task(client.get(url, headers=auth()))
        # The follower's consumer exists once it has taken stock of what is stored.
        await wait_for(lambda: _more_consumers(bus, consumers), timeout=10, what="follower")
        await write_log(bus, mailbox[1], run, ["late 1", f"late 2 {SECRET}"], attempt=2)
        await finish(bus, mailbox, run)
        response = await asyncio.wait_for(request, timeout=30)

        assert response.headers["content-type"].startswith("text/event-stream")
        data = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
        assert data[:3] == ["early 18", "early 19", "early 20"]
        assert data[-4:] == ["--- attempt 2 ---", "late 1", "late 2 [REDACTED]", "the run finished"]
        assert "event: end" in response.text
        assert SECRET not in response.text


async def _log_consumers(bus) -> int:
    return int((await bus.js.stream_info(subj.LOGS_STREAM)).state.consumer_count or 0)


async def _more_consumers(bus, before: int) -> bool:
    return await _log_consumers(bus) > before


def progress_env(job_id, mailbox_id, done, total, rate, age_s=0.0):
    event = RunProgress(
        run_id=uuid.uuid4(),
        job_id=job_id,
        mailbox_id=mailbox_id,
        run_type=RunType.INITIAL,
        folder="INBOX",
        messages_done=done,
        messages_total=total,
        bytes_done=done * 1000,
        rate_messages=rate,
        rate_bytes=rate * 1000,
        percent=100.0 * done / total,
    )
    return new_envelope(
        event,
        aggregate_id=str(event.run_id),
        actor=ACTOR,
        now=utc_now() - timedelta(seconds=age_s),
    )


class TestProgress:
    async def test_latest_progress_per_mailbox_with_job_totals(
        self, client, auth, bus, read_models_dsn
    ):
        job_id = uuid.uuid4()
        seed_job(read_models_dsn, job_id)
        first, second, idle = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        updates = [
            progress_env(job_id, first, 10, 100, 5.0),
            progress_env(job_id, first, 50, 100, 10.0),
            progress_env(job_id, second, 20, 100, 10.0),
            progress_env(job_id, idle, 30, 100, 99.0, age_s=600),  # stalled: not in the rate
        ]
        for env in updates:
            subject = subj.progress_subject(str(job_id), str(env.payload.mailbox_id))
            await bus.js.publish(subject, encode(env), stream=subj.PROGRESS_STREAM)

        response = await client.get(f"{API}/jobs/{job_id}/progress", headers=auth())

        body = response.json()
        assert (body["mailboxes"], body["active"]) == (3, 2)
        assert (body["messages_done"], body["messages_total"]) == (100, 300)
        assert body["percent"] == pytest.approx(100 / 3)
        assert body["rate_messages"] == 20.0
        assert body["eta_seconds"] == pytest.approx((50 + 80) / 20)
        done = {item["mailbox_id"]: item["messages_done"] for item in body["items"]}
        assert done == {str(first): 50, str(second): 20, str(idle): 30}

    async def test_a_job_without_progress_has_zero_totals_and_an_unknown_job_is_404(
        self, client, auth, read_models_dsn
    ):
        job_id = uuid.uuid4()
        seed_job(read_models_dsn, job_id)

        empty = await client.get(f"{API}/jobs/{job_id}/progress", headers=auth())
        unknown = await client.get(f"{API}/jobs/{uuid.uuid4()}/progress", headers=auth())

        assert (empty.json()["mailboxes"], empty.json()["percent"]) == (0, 0.0)
        assert unknown.status_code == 404
