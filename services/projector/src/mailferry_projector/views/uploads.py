"""``migration_uploads``: PST, mbox and eml-zip files stored for the runners."""

from mailferry_contracts import Envelope
from mailferry_contracts.jobs import UploadStored
from mailferry_projector.views import Cursor

_INSERT = """
INSERT INTO migration_uploads (
    id, job_id, mailbox_id, kind, filename, size_bytes, sha256, object_name, duplicate_of,
    uploaded_by, uploaded_at
) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (id) DO NOTHING
"""


async def on_stored(cur: Cursor, env: Envelope[UploadStored], seq: int) -> None:
    event = env.payload
    await cur.execute(
        _INSERT,
        (
            event.upload_id,
            env.aggregate_id,
            event.mailbox_id,
            event.kind,
            event.filename,
            event.size_bytes,
            event.sha256,
            event.object_name,
            event.duplicate_of,
            env.actor.user,
            env.occurred_at,
        ),
    )
