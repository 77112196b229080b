import asyncio
import json
import uuid
from typing import Any

import pytest

from mailferry_bus import open_bus
from mailferry_bus.runners import RunOutcome
from mailferry_contracts import encode, new_envelope
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import RunStatus, ServerSettings, Tool
from mailferry_contracts.mailboxes import MailboxDeadLettered
from mailferry_contracts.runs import RunAttemptFailed, RunFinished, RunStarted, StartSync
from tests.fixtures.runner_jobs import (
    ACTOR,
    RunnerHarness,
    create_job,
    fast_config,
    mailbox_events,
    max_concurrent,
    of_type,
    request_sync,
    run_events,
    run_events_of,
)
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.integration


def working(seconds: float = 0.1, outcome=None):
    async def handle(cmd, ctx):
        await ctx.started(Tool.NATIVE, "simulated copy")
        await asyncio.sleep(seconds)  # simulated work inside the handler, not a test wait
        return outcome(cmd, ctx) if outcome else RunOutcome(Tool.NATIVE, RunStatus.SUCCESS)

    return handle


async def _runners(bus_settings, count, handler, **config):
    harnesses = []
    for _ in range(count):
        bus = await open_bus(bus_settings, "runner-test")
        harnesses.append(RunnerHarness(bus, fast_config(**config), {StartSync: handler}))
    return harnesses


async def _dispatch(harness, job, mailbox_ids=None):
    _, seq = await request_sync(harness.bus, job, mailbox_ids)
    events = await harness.bus.events.read(subj.aggregate_subjects("job", str(job.job_id)), seq)
    await harness.dispatcher.dispatch(events[-1].envelope, seq)


async def _finished(bus, job_ids, count):
    async def probe():
        events = await run_events_of(bus, set(job_ids))
        return events if len(of_type(events, RunFinished)) >= count else None

    return await wait_for(probe, timeout=20, what=f"{count} RunFinished")


class TestConcurrency:
    async def test_limit_2_with_10_mailboxes_across_3_runners_never_runs_more_than_2(
        self, bus, bus_settings
    ):
        job = await create_job(bus, [f"u{i}" for i in range(10)], concurrency=2, per_host=10)
        runners = await _runners(bus_settings, 3, working(0.15), slots=2)
        try:
            await _dispatch(runners[0], job)
            for runner in runners:
                runner.start()
            events = await _finished(bus, [job.job_id], 10)
        finally:
            for runner in runners:
                await runner.stop()
        assert max_concurrent(events) <= 2
        finished = of_type(events, RunFinished)
        assert len({f.run_id for f in finished}) == 10 == len(finished)

    async def test_per_host_limit_holds_across_jobs_on_one_source_host(self, bus, bus_settings):
        host = ServerSettings(host=f"imap-{uuid.uuid4().hex[:8]}.example", port=993)
        jobs = [await create_job(bus, ["a", "b", "c"], per_host=1, source=host) for _ in range(2)]
        runners = await _runners(bus_settings, 2, working(0.1), slots=3)
        try:
            for job in jobs:
                await _dispatch(runners[0], job)
            for runner in runners:
                runner.start()
            events = await _finished(bus, [j.job_id for j in jobs], 6)
        finally:
            for runner in runners:
                await runner.stop()
        assert max_concurrent(events) == 1


class TestFairness:
    async def test_two_jobs_alternate_when_only_one_slot_is_free(self, bus, bus_settings):
        big = await create_job(bus, [f"b{i}" for i in range(4)])
        small = await create_job(bus, [f"s{i}" for i in range(4)])
        [runner] = await _runners(bus_settings, 1, working(0.02), slots=1)
        try:
            await _dispatch(runner, big)
            await _dispatch(runner, small)
            runner.start()
            events = await _finished(bus, [big.job_id, small.job_id], 8)
        finally:
            await runner.stop()
        order = [s.job_id for s in of_type(events, RunStarted)]
        assert order[0] != order[1]
        assert order[1] != order[2]
        assert order[2] != order[3]


class TestRetries:
    async def test_auth_failure_is_final_at_once(self, bus, bus_settings):
        job = await create_job(bus, ["bad"])

        def auth_failed(cmd, ctx):
            return RunOutcome(Tool.NATIVE, RunStatus.FAILED, "auth_failed_source", "NO login")

        [runner] = await _runners(bus_settings, 1, working(0.0, auth_failed))
        try:
            await _dispatch(runner, job)
            runner.start()
            events = await _finished(bus, [job.job_id], 1)
        finally:
            await runner.stop()
        assert of_type(events, RunAttemptFailed) == []
        [finished] = of_type(events, RunFinished)
        assert (finished.status, finished.error_class, finished.attempt) == (
            "failed",
            "auth_failed_source",
            1,
        )

    async def test_transient_failure_is_retried_then_succeeds(self, bus, bus_settings):
        job = await create_job(bus, ["flaky"])

        def flaky(cmd, ctx):
            if ctx.attempt == 1:
                return RunOutcome(Tool.NATIVE, RunStatus.FAILED, "connection_failed", "refused")
            return RunOutcome(Tool.NATIVE, RunStatus.SUCCESS)

        [runner] = await _runners(bus_settings, 1, working(0.0, flaky))
        try:
            await _dispatch(runner, job)
            runner.start()
            events = await _finished(bus, [job.job_id], 1)
        finally:
            await runner.stop()
        [failed] = of_type(events, RunAttemptFailed)
        [finished] = of_type(events, RunFinished)
        assert (failed.attempt, failed.error_class) == (1, "connection_failed")
        assert failed.retry_in_seconds > 0
        assert (finished.status, finished.attempt) == ("success", 2)

    async def test_a_command_that_keeps_failing_is_dead_lettered_and_shown_on_the_mailbox(
        self, bus, bus_settings
    ):
        job = await create_job(bus, ["doomed"])

        async def crash(cmd, ctx):
            raise RuntimeError("engine exploded")

        [runner] = await _runners(bus_settings, 1, crash, retry=_policy(max_attempts=2))
        try:
            await _dispatch(runner, job)
            runner.start()
            events = await _finished(bus, [job.job_id], 1)
        finally:
            await runner.stop()
        assert [f.error_class for f in of_type(events, RunAttemptFailed)] == ["internal"]
        [finished] = of_type(events, RunFinished)
        assert finished.status == "failed"
        [dead] = list(await mailbox_events(bus, job.mailbox_ids[0]))
        assert isinstance(dead, MailboxDeadLettered)
        assert "engine exploded" in dead.reason


def _policy(**changes):
    from mailferry_bus.runners import RetryPolicy

    return RetryPolicy(**{"max_attempts": 3, "base_delay_s": 0.1, "max_delay_s": 0.2, **changes})


class TestPoison:
    async def test_an_undecodable_command_goes_to_the_dlq_and_shows_on_the_mailbox(
        self, bus, bus_settings
    ):
        job = await create_job(bus, ["p"])
        [runner] = await _runners(bus_settings, 1, working())
        command = _future_command(job)
        try:
            await bus.js.publish(
                subj.command_subject("imap", str(job.job_id)),
                command,
                stream=subj.COMMANDS_STREAM,
            )
            runner.start()

            async def dead_lettered():
                events = await mailbox_events(bus, job.mailbox_ids[0])
                return [e for e in events if isinstance(e, MailboxDeadLettered)]

            found: Any = await wait_for(dead_lettered, timeout=20)
        finally:
            await runner.stop()
        [dead] = found
        assert "v99" in dead.reason
        assert dead.command_type == "StartSync"
        last = await bus.js.get_last_msg(subj.DLQ_STREAM, subj.dlq_subject("imap"))
        assert json.loads(last.data or b"{}")["reason"] == dead.reason


def _future_command(job) -> bytes:
    work = StartSync.model_validate(
        {
            "run_id": uuid.uuid4(),
            "job_id": job.job_id,
            "mailbox_id": job.mailbox_ids[0],
            "request_id": uuid.uuid4(),
            "run_type": "initial",
            "mode": "initial",
            "destination": {"host": "d.example", "port": 993},
            "target_user": "p",
            "target_credential_ref": None,
            "concurrency_limit": 1,
            "per_host_limit": 1,
            "source": {"host": "s.example", "port": 993},
            "source_user": "p",
            "source_credential_ref": None,
        }
    )
    env = json.loads(encode(new_envelope(work, aggregate_id="x", actor=ACTOR, now=_now())))
    env["schema_version"] = 99  # a producer newer than this runner: never guess, dead-letter
    return json.dumps(env).encode()


def _now():
    from tests.fixtures.factories import WHEN

    return WHEN


class TestIdempotency:
    async def test_a_command_whose_run_already_finished_is_skipped(self, bus, bus_settings):
        job = await create_job(bus, ["once"])
        calls = []

        async def count(cmd, ctx):
            calls.append(cmd.run_id)
            await ctx.started(Tool.NATIVE)
            return RunOutcome(Tool.NATIVE, RunStatus.SUCCESS)

        subject = subj.command_subject("imap", str(job.job_id))
        [runner] = await _runners(bus_settings, 1, count)
        try:
            await _dispatch(runner, job)
            command = (await bus.js.get_last_msg(subj.COMMANDS_STREAM, subject)).data
            runner.start()
            await _finished(bus, [job.job_id], 1)
            await bus.js.publish(
                subject,
                command,
                stream=subj.COMMANDS_STREAM,
                headers={"Nats-Msg-Id": f"again-{uuid.uuid4()}"},
            )
            await wait_for(lambda: _empty(bus, job), timeout=10, what="command consumed")
        finally:
            await runner.stop()
        assert len(calls) == 1
        assert len(of_type(await run_events(bus, job.job_id), RunFinished)) == 1


async def _empty(bus, job):
    info = await bus.js.stream_info(
        subj.COMMANDS_STREAM, subjects_filter=subj.command_subject("imap", str(job.job_id))
    )
    return not sum((info.state.subjects or {}).values())
