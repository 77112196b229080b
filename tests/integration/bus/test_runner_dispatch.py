import pytest

from mailferry_bus import open_bus
from mailferry_bus.runners import Dispatcher
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import RunnerKind, RunType
from mailferry_contracts.routing import run_id_for
from mailferry_contracts.runs import RunQueued
from mailferry_runner_imap.commands import build_command
from tests.fixtures.runner_jobs import create_job, of_type, request_sync, run_events

pytestmark = pytest.mark.integration


async def _queued_commands(bus, job_id) -> int:
    info = await bus.js.stream_info(
        subj.COMMANDS_STREAM, subjects_filter=subj.command_subject("imap", str(job_id))
    )
    return sum((info.state.subjects or {}).values())


class TestDispatcher:
    async def test_request_becomes_one_run_queued_and_one_command_per_mailbox(self, bus):
        job = await create_job(bus, ["u1", "u2", "u3"])
        request_id, seq = await request_sync(bus, job)
        request = (await bus.events.read(subj.aggregate_subjects("job", str(job.job_id)), seq))[-1]

        run_ids = await Dispatcher(bus, RunnerKind.IMAP, build_command).dispatch(
            request.envelope, seq
        )

        expected = {run_id_for(request_id, m, RunType.INITIAL) for m in job.mailbox_ids}
        assert set(run_ids) == expected
        assert {e.run_id for e in of_type(await run_events(bus, job.job_id), RunQueued)} == expected
        assert await _queued_commands(bus, job.job_id) == 3

    async def test_a_redelivered_request_creates_nothing_new(self, bus):
        job = await create_job(bus, ["u1", "u2"])
        _, seq = await request_sync(bus, job)
        request = (await bus.events.read(subj.aggregate_subjects("job", str(job.job_id)), seq))[-1]
        dispatcher = Dispatcher(bus, RunnerKind.IMAP, build_command)

        await dispatcher.dispatch(request.envelope, seq)
        await dispatcher.dispatch(request.envelope, seq)

        assert len(of_type(await run_events(bus, job.job_id), RunQueued)) == 2
        assert await _queued_commands(bus, job.job_id) == 2

    async def test_an_explicit_selection_queues_only_those_mailboxes(self, bus):
        job = await create_job(bus, ["u1", "u2", "u3"])
        _, seq = await request_sync(bus, job, mailbox_ids=[job.mailbox_ids[1]])
        request = (await bus.events.read(subj.aggregate_subjects("job", str(job.job_id)), seq))[-1]

        await Dispatcher(bus, RunnerKind.IMAP, build_command).dispatch(request.envelope, seq)

        queued = of_type(await run_events(bus, job.job_id), RunQueued)
        assert [q.mailbox_id for q in queued] == [job.mailbox_ids[1]]

    async def test_the_job_is_read_as_of_the_request(self, bus_settings):
        bus = await open_bus(bus_settings, "t")
        try:
            job = await create_job(bus, ["u1"], concurrency=3)
            _, seq = await request_sync(bus, job)
            subject = subj.aggregate_subjects("job", str(job.job_id))
            request = (await bus.events.read(subject, seq))[-1]
            await Dispatcher(bus, RunnerKind.IMAP, build_command).dispatch(request.envelope, seq)
            raw = await bus.js.get_last_msg(
                subj.COMMANDS_STREAM, subj.command_subject("imap", str(job.job_id))
            )
            assert b'"concurrency_limit":3' in (raw.data or b"")
        finally:
            await bus.close()
