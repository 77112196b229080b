"""The uploads and artifacts object stores: fetch an upload to disk, store a run's files.

Objects are streamed chunk by chunk in both directions, so a 50 GB PST never sits in memory.
"""

import base64
import os
from pathlib import Path

from nats.js import JetStreamContext
from nats.js.api import ObjectMeta
from nats.js.errors import DigestMismatchError, ObjectNotFoundError

from mailferry_contracts import subjects
from mailferry_contracts.runs import MailboxWork

_DIGEST_PREFIX = "SHA-256="


class UploadUnavailableError(Exception):
    """The upload is not in the object store (error class ``invalid_input``)."""

    error_class = "invalid_input"


class UploadCorruptError(Exception):
    """The stored bytes do not have the upload's SHA-256 (error class ``file_unreadable``)."""

    error_class = "file_unreadable"


async def fetch_upload(js: JetStreamContext, object_name: str, sha256: str, dest: Path) -> int:
    """Write the upload to ``dest`` (created 0600, must not exist); return its size."""
    store = await js.object_store(subjects.UPLOADS_OBJECTS)
    try:
        info = await store.get_info(object_name)
    except ObjectNotFoundError as exc:
        raise UploadUnavailableError(f"the upload {object_name} is not in the store") from exc
    if _hex_digest(info.digest) != sha256:
        raise UploadCorruptError(f"the stored upload {object_name} has another SHA-256")
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        try:
            # nats-py checks every chunk against the stored SHA-256 (checked above).
            await store.get(object_name, writeinto=out)
        except DigestMismatchError as exc:
            raise UploadCorruptError(f"the upload {object_name} is damaged in the store") from exc
    return int(info.size or 0)


async def store_artifact(js: JetStreamContext, name: str, path: Path, description: str) -> int:
    """Put a run's file into the artifacts store (replacing an earlier attempt's)."""
    store = await js.object_store(subjects.ARTIFACTS_OBJECTS)
    with path.open("rb") as source:
        info = await store.put(name, source, meta=ObjectMeta(name=name, description=description))
    return int(info.size or 0)


def _hex_digest(digest: str | None) -> str:
    if not digest or not digest.upper().startswith(_DIGEST_PREFIX):
        return ""
    try:
        return base64.urlsafe_b64decode(digest[len(_DIGEST_PREFIX) :]).hex()
    except ValueError:
        return ""


class Artifacts:
    """Where a run's files are written (its private directory) and then stored."""

    def __init__(self, js: JetStreamContext, work_dir: Path) -> None:
        self._js = js
        self.work_dir = work_dir

    async def store(self, work: MailboxWork, path: Path, description: str) -> str:
        """Store one of the run's files under its fixed name; return that name."""
        name = subjects.artifact_object(str(work.mailbox_id), str(work.run_id), path.name)
        await store_artifact(self._js, name, path, description)
        return name
