"""Message in, one call, messages out.

The dispatcher is a FastStream subscriber; commands are pulled by the shared work queue and
handed to the handlers registered in ``command_handlers``.
"""

from typing import Annotated

from faststream import AckPolicy, Context
from faststream.nats import JStream, NatsMessage, NatsRouter, PullSub

from mailferry_bus.runners import Dispatcher, Handler, RunContext, RunOutcome, dispatcher_consumer
from mailferry_bus.runners.dispatch import request_subjects
from mailferry_contracts import subjects
from mailferry_contracts.common import RunnerKind
from mailferry_contracts.runs import MailboxWork, StartPreflight, StartSync, StartVerify
from mailferry_runner_imap.service import ImapRuns

router = NatsRouter()


@router.subscriber(
    request_subjects()[0],
    stream=JStream(name=subjects.EVENTS_STREAM, declare=False),
    durable=subjects.dispatcher_durable(RunnerKind.IMAP.value),
    config=dispatcher_consumer(RunnerKind.IMAP.value),
    pull_sub=PullSub(batch_size=1, timeout=1.0),
    ack_policy=AckPolicy.MANUAL,  # Dispatcher.handle acks after the commands are queued
)
async def on_job_request(
    msg: NatsMessage, dispatcher: Annotated[Dispatcher, Context("dispatcher")]
) -> None:
    """Emits RunQueued and StartPreflight/StartSync/StartVerify for each selected IMAP mailbox."""
    await dispatcher.handle(msg.raw_message)


def command_handlers(runs: ImapRuns) -> dict[type[MailboxWork], Handler]:
    """The work queue's handler table (registered explicitly, one per command type)."""

    async def on_start_preflight(cmd: StartPreflight, ctx: RunContext) -> RunOutcome:
        """Emits RunStarted, RunFinished and MailboxPreflighted."""
        return await runs.run(cmd, ctx)

    async def on_start_sync(cmd: StartSync, ctx: RunContext) -> RunOutcome:
        """Emits RunStarted, RunProgress…, RunFinished."""
        return await runs.run(cmd, ctx)

    async def on_start_verify(cmd: StartVerify, ctx: RunContext) -> RunOutcome:
        """Emits RunStarted, RunFinished and MailboxVerified."""
        return await runs.run(cmd, ctx)

    return {
        StartPreflight: on_start_preflight,
        StartSync: on_start_sync,
        StartVerify: on_start_verify,
    }
