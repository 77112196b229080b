"""Reading an import body (JSON, a CSV body, or a multipart file) within the limit.

The stream is counted as it arrives and refused the moment it goes over: nothing beyond the
limit is ever held.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from starlette.datastructures import UploadFile

from mailferry_api.errors import InvalidInputError, PayloadTooLargeError, UnsupportedMediaTypeError

CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"})
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ImportBody:
    """The raw bytes of an import and how to read them."""

    kind: Literal["csv", "json"]
    data: bytes


async def read_limited(chunks: AsyncIterator[bytes], limit: int, what: str) -> bytes:
    """Concatenate chunks; 413 as soon as they exceed ``limit``."""
    buffer = bytearray()
    async for chunk in chunks:
        if len(buffer) + len(chunk) > limit:
            raise PayloadTooLargeError(f"{what} is larger than {limit} bytes")
        buffer.extend(chunk)
    return bytes(buffer)


async def _file_chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


async def _multipart_csv(request: Request, limit: int) -> bytes:
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInputError(
                "multipart upload without a file in field 'file'", code="missing_file"
            )
        return await read_limited(_file_chunks(upload), limit, "the CSV file")


def media_type(request: Request) -> str:
    """The request's media type, lower case, without parameters."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def read_import_body(request: Request, *, csv_limit: int, json_limit: int) -> ImportBody:
    """The body of ``POST /jobs/{id}/mailboxes`` by content type; 415 for any other type."""
    kind = media_type(request)
    if kind == "application/json":
        return ImportBody("json", await read_limited(request.stream(), json_limit, "the body"))
    if kind in CSV_TYPES:
        return ImportBody("csv", await read_limited(request.stream(), csv_limit, "the CSV file"))
    if kind == "multipart/form-data":
        return ImportBody("csv", await _multipart_csv(request, csv_limit))
    raise UnsupportedMediaTypeError(
        f"content type {kind or '(none)'} is not accepted: send application/json, text/csv, "
        "or multipart/form-data with the file in field 'file'"
    )
