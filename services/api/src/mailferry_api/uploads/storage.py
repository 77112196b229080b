"""Streamed writes into the JetStream uploads object store: chunks as they arrive, then meta.

nats-py's ``ObjectStore.put`` reads from a synchronous file-like object; an HTTP body is an
async stream, so this writes the same layout itself (chunks on ``$O.<bucket>.C.<id>``, then
the meta message with the SHA-256 on ``$O.<bucket>.M.<base64 name>``, rolled up), readable by
any NATS client's ``get``. At most ``window`` chunks are in flight: memory stays a few MB
however large the file, and a slow server slows the upload instead of filling the API.

The chunk subject's token is the upload id, so the bytes received so far can be read back
(``bytes_received``) while the upload is still streaming, from any API instance.
"""

import asyncio
import base64
import hashlib
import json
import uuid
from collections import deque
from datetime import UTC, datetime

from nats.js import JetStreamContext
from nats.js.api import ObjectInfo, ObjectMetaOptions, PubAck
from nats.js.errors import NotFoundError

from mailferry_contracts import subjects

CHUNK_BYTES = 256 * 1024
WINDOW = 8
_ROLLUP = {"Nats-Rollup": "sub"}


def _stream(bucket: str) -> str:
    return f"OBJ_{bucket}"


def _chunks_subject(bucket: str, upload_id: uuid.UUID) -> str:
    return f"$O.{bucket}.C.{upload_id.hex}"


def _meta_subject(bucket: str, name: str) -> str:
    return f"$O.{bucket}.M.{base64.urlsafe_b64encode(name.encode()).decode()}"


class UploadWriter:
    """One object being written: ``write`` chunks, then ``commit`` or ``abort``."""

    def __init__(
        self,
        js: JetStreamContext,
        upload_id: uuid.UUID,
        bucket: str = subjects.UPLOADS_OBJECTS,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        self._js = js
        self._bucket = bucket
        self._subject = _chunks_subject(bucket, upload_id)
        self._nuid = upload_id.hex
        self._chunk_bytes = chunk_bytes
        self._buffer = bytearray()
        self._in_flight: deque[asyncio.Future[PubAck]] = deque()
        self._digest = hashlib.sha256()
        self.size = 0
        self.chunks = 0

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of everything written so far."""
        return self._digest.hexdigest()

    async def write(self, data: bytes) -> None:
        self._digest.update(data)
        self.size += len(data)
        self._buffer += data
        while len(self._buffer) >= self._chunk_bytes:
            chunk = bytes(self._buffer[: self._chunk_bytes])
            del self._buffer[: self._chunk_bytes]
            await self._publish(chunk)

    async def commit(self, name: str, description: str) -> ObjectInfo:
        """Flush, wait for every chunk to be stored, then publish the meta: the object exists."""
        if self._buffer:
            await self._publish(bytes(self._buffer))
            self._buffer.clear()
        await self._drain()
        digest = base64.urlsafe_b64encode(self._digest.digest()).decode()
        info = ObjectInfo(
            name=name,
            description=description,
            options=ObjectMetaOptions(max_chunk_size=self._chunk_bytes),
            bucket=self._bucket,
            nuid=self._nuid,
            size=self.size,
            chunks=self.chunks,
            mtime=datetime.now(UTC).isoformat(),
            digest=f"SHA-256={digest}",
        )
        meta = json.dumps(info.as_dict()).encode()
        await self._js.publish(_meta_subject(self._bucket, name), meta, headers=_ROLLUP)
        return info

    async def abort(self) -> None:
        """Drop every chunk written (no meta was published, so no object ever existed)."""
        for future in self._in_flight:
            future.cancel()
        self._in_flight.clear()
        await self._js.purge_stream(_stream(self._bucket), subject=self._subject)

    async def _publish(self, chunk: bytes) -> None:
        self._in_flight.append(await self._js.publish_async(self._subject, chunk))
        self.chunks += 1
        while len(self._in_flight) >= WINDOW:
            await self._in_flight.popleft()

    async def _drain(self) -> None:
        while self._in_flight:
            await self._in_flight.popleft()


async def delete_object(js: JetStreamContext, name: str) -> None:
    """Remove a committed object (a duplicate that lost a race)."""
    store = await js.object_store(subjects.UPLOADS_OBJECTS)
    await store.delete(name)


async def bytes_received(js: JetStreamContext, upload_id: uuid.UUID) -> int | None:
    """Bytes of an upload stored so far (whole chunks), None when nothing has arrived."""
    bucket = subjects.UPLOADS_OBJECTS
    subject = _chunks_subject(bucket, upload_id)
    try:
        info = await js.stream_info(_stream(bucket), subjects_filter=subject)
    except NotFoundError:
        return None
    count = (info.state.subjects or {}).get(subject, 0)
    return count * CHUNK_BYTES if count else None
