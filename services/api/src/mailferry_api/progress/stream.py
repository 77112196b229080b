"""The latest RunProgress of each mailbox of a job, from the PROGRESS stream (last per subject)."""

from typing import Any

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from mailferry_contracts import Envelope, decode, subjects
from mailferry_contracts.runs import RunProgress

_BATCH = 512


async def latest_progress(js: JetStreamContext, job_id: str) -> list[Envelope[RunProgress]]:
    """One envelope per mailbox that has reported progress (in subject order)."""
    wanted = subjects.progress_of_job(job_id)
    try:
        info = await js.stream_info(subjects.PROGRESS_STREAM, subjects_filter=wanted)
    except NotFoundError:
        return []
    count = len(info.state.subjects or {})
    if count == 0:
        return []
    sub = await js.pull_subscribe(
        wanted,
        stream=subjects.PROGRESS_STREAM,
        config=ConsumerConfig(
            ack_policy=AckPolicy.NONE,
            deliver_policy=DeliverPolicy.LAST_PER_SUBJECT,
            inactive_threshold=30.0,
            mem_storage=True,
            num_replicas=1,
        ),
    )
    found: list[Envelope[Any]] = []
    try:
        while len(found) < count:
            msgs = await sub.fetch(batch=_BATCH, timeout=5.0)
            found.extend(decode(m.data) for m in msgs)
            if msgs and not msgs[-1].metadata.num_pending:
                break
    finally:
        await sub.unsubscribe()
    return [env for env in found if isinstance(env.payload, RunProgress)]
