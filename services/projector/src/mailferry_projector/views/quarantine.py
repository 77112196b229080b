"""``migration_quarantine``: messages a run could not deliver, and the operator's review."""

from mailferry_contracts import Envelope
from mailferry_contracts.mailboxes import QuarantineRecorded, QuarantineReviewed
from mailferry_projector.views import Cursor

_INSERT = """
INSERT INTO migration_quarantine (
    run_id, item_index, job_id, mailbox_id, folder, subject, message_date, size_bytes,
    reason, detail, artifact
) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (run_id, item_index) DO NOTHING
"""


async def on_recorded(cur: Cursor, env: Envelope[QuarantineRecorded], seq: int) -> None:
    event = env.payload
    await cur.executemany(
        _INSERT,
        [
            (
                event.run_id,
                item.index,
                event.job_id,
                env.aggregate_id,
                item.folder,
                item.subject,
                item.date,
                item.size_bytes,
                item.reason,
                item.detail,
                event.artifact,
            )
            for item in event.items
        ],
    )


async def on_reviewed(cur: Cursor, env: Envelope[QuarantineReviewed], seq: int) -> None:
    event = env.payload
    # A second review of the same run replaces the first: the latest decision stands.
    await cur.execute(
        """
        UPDATE migration_quarantine SET decision = %s, reviewed_by = %s, reviewed_at = %s
        WHERE run_id = %s
        """,
        (event.decision, env.actor.user, env.occurred_at, event.run_id),
    )
