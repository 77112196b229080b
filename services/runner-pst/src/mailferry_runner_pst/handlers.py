"""Message in, one call, messages out.

The dispatcher is a FastStream subscriber; commands are pulled by the shared work queue and
handed to the handler registered in ``command_handlers``.
"""

from typing import Annotated

from faststream import AckPolicy, Context
from faststream.nats import JStream, NatsMessage, NatsRouter, PullSub

from mailferry_bus.runners import Dispatcher, Handler, RunContext, RunOutcome, dispatcher_consumer
from mailferry_bus.runners.dispatch import request_subjects
from mailferry_contracts import subjects
from mailferry_contracts.common import RunnerKind
from mailferry_contracts.runs import MailboxWork, StartUploadImport
from mailferry_runner_pst.service import UploadImports

router = NatsRouter()


@router.subscriber(
    request_subjects()[0],
    stream=JStream(name=subjects.EVENTS_STREAM, declare=False),
    durable=subjects.dispatcher_durable(RunnerKind.PST.value),
    config=dispatcher_consumer(RunnerKind.PST.value),
    pull_sub=PullSub(batch_size=1, timeout=1.0),
    ack_policy=AckPolicy.MANUAL,  # Dispatcher.handle acks after the commands are queued
)
async def on_job_request(
    msg: NatsMessage, dispatcher: Annotated[Dispatcher, Context("dispatcher")]
) -> None:
    """Emits RunQueued and StartUploadImport for each selected PST, mbox or eml mailbox."""
    await dispatcher.handle(msg.raw_message)


def command_handlers(imports: UploadImports) -> dict[type[MailboxWork], Handler]:
    """The work queue's handler table (registered explicitly, one per command type)."""

    async def on_start_upload_import(cmd: StartUploadImport, ctx: RunContext) -> RunOutcome:
        """Emits RunStarted, RunProgress…, QuarantineRecorded, MailboxVerified, RunFinished."""
        return await imports.run(cmd, ctx)

    return {StartUploadImport: on_start_upload_import}
