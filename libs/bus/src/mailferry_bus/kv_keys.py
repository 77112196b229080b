"""List the live keys of a KV bucket without nats-py's ``KeyValue.keys()`` race.

``keys()`` runs a push watcher and ends when consumer info reports nothing pending; under
load the server has already pushed every key by then, the client has handled none, and the
listing comes back empty (seen in CI: a vault rotation missed an orphaned secret). A pull
consumer delivers nothing before it is asked, so its pending count is exact.
"""

from nats.js import api
from nats.js.errors import FetchTimeoutError
from nats.js.kv import KeyValue

_KV_OPERATION = "KV-Operation"
_REMOVED = {"DEL", "PURGE"}
_BATCH = 256


async def live_keys(kv: KeyValue) -> list[str]:
    """Every key of the bucket whose latest revision is a value (not a delete or purge)."""
    # The bucket's stream, subject prefix and context are only held as private attributes.
    js, stream, prefix = kv._js, kv._stream, kv._pre
    config = api.ConsumerConfig(
        deliver_policy=api.DeliverPolicy.LAST_PER_SUBJECT,
        ack_policy=api.AckPolicy.NONE,
        headers_only=True,
        inactive_threshold=30.0,
        mem_storage=True,
    )
    subscription = await js.pull_subscribe(f"{prefix}>", stream=stream, config=config)
    try:
        pending = (await subscription.consumer_info()).num_pending or 0
        keys: list[str] = []
        while pending > 0:
            try:
                batch = await subscription.fetch(min(_BATCH, pending), timeout=5)
            except FetchTimeoutError:  # entries removed meanwhile: ask again what is left
                pending = (await subscription.consumer_info()).num_pending or 0
                continue
            for message in batch:
                pending = message.metadata.num_pending
                operation = (message.headers or {}).get(_KV_OPERATION)
                if operation not in _REMOVED:
                    keys.append(message.subject.removeprefix(prefix))
        return keys
    finally:
        await subscription.unsubscribe()
