"""The upload request body: form fields and one file, streamed into the uploads store.

Nothing of the file is held beyond one storage chunk. The file is refused as early as
possible: unknown first bytes after 64 bytes, and over the size limit the moment it passes
it. Whatever goes wrong, the chunks already stored are purged before the error leaves here.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from nats.js import JetStreamContext

from mailferry_api.errors import InvalidInputError, PayloadTooLargeError
from mailferry_api.uploads.kinds import HEAD_BYTES, UnknownKindError, detect
from mailferry_api.uploads.multipart import Event, PartData, PartEnd, PartStart, multipart_events
from mailferry_api.uploads.storage import UploadWriter

FILE_FIELD = "file"
MAX_FIELD_BYTES = 1024
OnField = Callable[[str, str], None]
"""Called with each form field as soon as it is complete (it may refuse by raising)."""


@dataclass
class Received:
    """The form fields, the client's file name, the file's first bytes and its writer."""

    writer: UploadWriter
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    head: bytes = b""
    has_file: bool = False
    file_complete: bool = False


class _Reader:
    def __init__(self, writer: UploadWriter, limit: int, on_field: OnField) -> None:
        self.received = Received(writer)
        self.limit = limit
        self.on_field = on_field
        self.part: str | None = None
        self.field_value = bytearray()

    async def feed(self, event: Event) -> None:
        if isinstance(event, PartStart):
            self._start(event)
        elif isinstance(event, PartData):
            await self._data(event.data)
        elif isinstance(event, PartEnd):
            self._end()

    def finish(self) -> None:
        if not self.received.has_file:
            raise InvalidInputError(f"no file in form field '{FILE_FIELD}'", code="missing_file")
        if not self.received.file_complete:
            # A body cut short must never be stored as if it were the whole file.
            raise InvalidInputError(
                "the body ended inside the file (no closing boundary)", code="bad_multipart"
            )

    def _start(self, event: PartStart) -> None:
        self.part = event.name
        if event.name == FILE_FIELD:
            if self.received.has_file:
                raise InvalidInputError("send one file per upload", code="several_files")
            self.received.has_file = True
            self.received.filename = event.filename

    async def _data(self, data: bytes) -> None:
        if self.part != FILE_FIELD:
            self.field_value += data
            if len(self.field_value) > MAX_FIELD_BYTES:
                raise InvalidInputError(f"form field {self.part} is too long", code="bad_field")
            return
        received = self.received
        if received.writer.size + len(data) > self.limit:
            raise PayloadTooLargeError(f"the file is larger than {self.limit} bytes")
        if len(received.head) < HEAD_BYTES:
            received.head += data[: HEAD_BYTES - len(received.head)]
            if len(received.head) >= HEAD_BYTES:
                _check_head(received.head)
        await received.writer.write(data)

    def _end(self) -> None:
        if self.part == FILE_FIELD:
            self.received.file_complete = True
        elif self.part is not None:
            value = self.field_value.decode("utf-8", "replace").strip()
            self.received.fields[self.part] = value
            self.on_field(self.part, value)
        self.part = None
        self.field_value = bytearray()


def _check_head(head: bytes) -> None:
    if detect(head) is None:
        raise InvalidInputError(
            "the file is not a PST/OST, an mbox or a zip of .eml files (unrecognised first bytes)",
            code="unknown_file_kind",
        )


async def receive(
    js: JetStreamContext,
    upload_id: uuid.UUID,
    content_type: str,
    body: AsyncIterator[bytes],
    *,
    limit: int,
    on_field: OnField,
) -> Received:
    """Stream the body's file into the store (uncommitted) and collect the fields."""
    reader = _Reader(UploadWriter(js, upload_id), limit, on_field)
    try:
        async for event in multipart_events(content_type, body):
            await reader.feed(event)
        reader.finish()
    except BaseException:
        await reader.received.writer.abort()
        raise
    return reader.received


def kind_error(exc: UnknownKindError) -> InvalidInputError:
    """A kind mismatch as the HTTP error."""
    return InvalidInputError(str(exc), code="unknown_file_kind")
