"""A multipart/form-data body as a stream of events, never holding more than a chunk.

Starlette's form parser spools every file to a temporary file before the route sees it; an
upload of 50 GB must instead flow straight into storage as it arrives, so the parts are read
here with python-multipart's push parser: each body chunk becomes the events it completes.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from mailferry_api.errors import InvalidInputError

MAX_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True)
class PartStart:
    """A part begins: its field name and, for a file, the client's file name."""

    name: str
    filename: str | None


@dataclass(frozen=True)
class PartData:
    """Bytes of the current part."""

    data: bytes


@dataclass(frozen=True)
class PartEnd:
    """The current part is complete."""


Event = PartStart | PartData | PartEnd


def boundary_of(content_type: str) -> bytes:
    """The boundary of a multipart/form-data content type; 422 when there is none."""
    media, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if media != b"multipart/form-data" or not boundary:
        raise InvalidInputError("send multipart/form-data with a boundary", code="not_multipart")
    return boundary


class _Collector:
    """python-multipart's callbacks, turned into a list of events per written chunk."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._header_bytes = 0

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._header_bytes = 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._grow(end - start)
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._grow(end - start)
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name")
        if name is None:
            raise InvalidInputError("a multipart part has no field name", code="bad_multipart")
        filename = options.get(b"filename")
        decoded = filename.decode("utf-8", "replace") if filename is not None else None
        self.events.append(PartStart(name.decode("utf-8", "replace"), decoded))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.events.append(PartData(bytes(data[start:end])))

    def on_part_end(self) -> None:
        self.events.append(PartEnd())

    def _grow(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES:
            raise InvalidInputError(
                "a multipart part's headers are too large", code="bad_multipart"
            )


async def multipart_events(content_type: str, body: AsyncIterator[bytes]) -> AsyncIterator[Event]:
    """The events of a multipart body, in order, as its chunks arrive."""
    collector = _Collector()
    callbacks = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin", "on_header_field", "on_header_value", "on_header_end",
            "on_headers_finished", "on_part_data", "on_part_end",
        )
    }  # fmt: skip
    parser = MultipartParser(boundary_of(content_type), callbacks)  # type: ignore[arg-type]
    async for chunk in body:
        try:
            parser.write(chunk)
        except MultipartParseError as exc:
            raise InvalidInputError(
                f"malformed multipart body: {exc}", code="bad_multipart"
            ) from exc
        events, collector.events = collector.events, []
        for event in events:
            yield event
    parser.finalize()
