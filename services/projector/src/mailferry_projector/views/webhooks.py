"""``migration_webhook_deliveries``: every attempt to POST a GateReady to a webhook."""

from mailferry_contracts import Envelope
from mailferry_contracts.gate import WebhookDeliveryAttempted
from mailferry_projector.views import Cursor

_INSERT = """
INSERT INTO migration_webhook_deliveries (
    notification_id, attempt, job_id, url, delivered, status_code, error, attempted_at,
    next_attempt_at
) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (notification_id, url, attempt) DO NOTHING
"""


async def on_delivery_attempted(
    cur: Cursor, env: Envelope[WebhookDeliveryAttempted], seq: int
) -> None:
    event = env.payload
    await cur.execute(
        _INSERT,
        (
            event.notification_id,
            event.attempt,
            env.aggregate_id,
            event.url,
            event.delivered,
            event.status_code,
            event.error,
            env.occurred_at,
            event.next_attempt_at,
        ),
    )
