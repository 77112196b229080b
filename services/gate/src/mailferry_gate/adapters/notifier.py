"""Publishes GateReady on ``migration.gate_ready`` (stream MIGRATION_NOTIFY)."""

from nats.js import JetStreamContext

from mailferry_contracts import subjects as subj
from mailferry_contracts.gate import GateReady


async def publish_gate_ready(js: JetStreamContext, notification: GateReady) -> None:
    """Publish once per notification id: a repeat within the dedup window is dropped."""
    await js.publish(
        subj.GATE_READY,
        notification.model_dump_json().encode(),
        stream=subj.NOTIFY_STREAM,
        headers={"Nats-Msg-Id": str(notification.notification_id)},
    )
