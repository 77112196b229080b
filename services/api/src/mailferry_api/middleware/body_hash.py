"""The hash that tells a retried request from a different one, computed as the body streams.

A client that retries a multipart upload encodes it again with a new random boundary, so the
boundary is left out of the hash: the same file under another boundary is the same request.
"""

import hashlib

from starlette.datastructures import Headers

_MARK = b"\x00"


def multipart_boundary(headers: Headers) -> bytes | None:
    """The boundary of a multipart body, or None."""
    media, _, params = headers.get("content-type", "").partition(";")
    if not media.strip().lower().startswith("multipart/"):
        return None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"').encode("latin-1")
    return None


class BodyHasher:
    """SHA-256 of a body fed in chunks, with every occurrence of ``boundary`` masked."""

    def __init__(self, boundary: bytes | None = None) -> None:
        self._digest = hashlib.sha256()
        self._boundary = boundary
        self._tail = b""

    def update(self, chunk: bytes) -> None:
        """Feed the next chunk."""
        if not self._boundary:
            self._digest.update(chunk)
            return
        data = (self._tail + chunk).replace(self._boundary, _MARK)
        cut = max(0, len(data) - (len(self._boundary) - 1))
        self._digest.update(data[:cut])
        self._tail = data[cut:]

    def hexdigest(self) -> str:
        """The hash of everything fed."""
        digest = self._digest.copy()
        digest.update(self._tail)
        return digest.hexdigest()
