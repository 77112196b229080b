"""Reading a run's files from the artifacts object store, chunk by chunk."""

from collections.abc import AsyncIterator

from nats.js import JetStreamContext
from nats.js.api import ObjectInfo
from nats.js.errors import ObjectNotFoundError

from mailferry_contracts import subjects


async def artifact_info(js: JetStreamContext, name: str) -> ObjectInfo | None:
    """The stored file's meta, or None when there is none."""
    store = await js.object_store(subjects.ARTIFACTS_OBJECTS)
    try:
        return await store.get_info(name)
    except ObjectNotFoundError:
        return None


async def artifact_chunks(js: JetStreamContext, info: ObjectInfo) -> AsyncIterator[bytes]:
    """The file's bytes as stored chunks (an ordered consumer: nothing is held)."""
    if not info.size:
        return
    subject = f"$O.{subjects.ARTIFACTS_OBJECTS}.C.{info.nuid}"
    sub = await js.subscribe(subject, ordered_consumer=True)
    try:
        async for msg in sub.messages:
            yield msg.data
            if not msg.metadata.num_pending:
                return
    finally:
        await sub.unsubscribe()
