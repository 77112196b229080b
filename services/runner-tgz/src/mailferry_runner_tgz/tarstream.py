"""A forward-only tar stream that notices when a gzip archive was cut short.

tarfile's own stream mode (``r|gz``) does not check the gzip end: an archive cut where a tar
header would start reads as a complete, smaller archive (one cut point in five in a test).
``gzip.GzipFile`` notices the cut but drops the last buffer of good data with it. So the gzip
layer here is zlib's own decoder (it checks the CRC and length too): at the cut it hands
tarfile every byte it could decode, then reports end of data and remembers why; after the
last tar entry it must have reached the gzip end, else the archive was cut. An uncompressed
tar (``fmt=tar``) is read as it is.
"""

import struct
import tarfile
import zlib
from typing import BinaryIO, cast

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 256 * 1024
_MAX_EXPANSION = 16  # output per call, in input chunks: bounds memory for compression bombs
_GZIP_WBITS = 31
# What tarfile/gzip raise on a cut or damaged stream (3.11's tarfile even raises TypeError for
# a gzip header cut short); caught only around the calls that read the stream.
_STREAM_ERRORS = (
    tarfile.TarError,
    EOFError,
    zlib.error,
    OSError,
    ValueError,
    TypeError,
    IndexError,
    struct.error,
)


class BrokenStreamError(Exception):
    """The archive stream failed; ``cause`` is tarfile's, zlib's or the cut's own exception."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class TarStream:
    """Entries in order; a member's data can be read only before the next ``next()``."""

    def __init__(self, stream: BinaryIO) -> None:
        try:
            head = stream.read(len(GZIP_MAGIC))
            source = _Prefixed(head, stream)
            self._gzip = _Gunzip(source) if head == GZIP_MAGIC else None
            layer = cast("BinaryIO", self._gzip or source)  # tarfile only calls read()
            # Nothing to close: the caller owns ``stream``, and these only wrap it.
            self._tar = tarfile.open(fileobj=layer, mode="r|")  # noqa: SIM115
        except _STREAM_ERRORS as exc:
            raise self._broken(exc) from exc

    def next(self) -> tarfile.TarInfo | None:
        """The next entry, or None at a verified end of the archive."""
        try:
            member = self._tar.next()
            if member is None and self._gzip is not None:
                self._gzip.finish()
        except _STREAM_ERRORS as exc:
            raise self._broken(exc) from exc
        # Stream mode keeps every header it has seen; a big mailbox has 100k of them.
        del self._tar.members[:]  # type: ignore[attr-defined]
        return member

    def read(self, member: tarfile.TarInfo) -> bytes:
        """The current entry's data, all of it."""
        try:
            handle = self._tar.extractfile(member)
            data = handle.read() if handle is not None else b""
        except _STREAM_ERRORS as exc:
            raise self._broken(exc) from exc
        if len(data) != member.size:
            short = tarfile.ReadError(f"{member.name}: {len(data)} of {member.size} bytes")
            raise self._broken(short)
        return data

    def _broken(self, exc: BaseException) -> BrokenStreamError:
        # A cut gzip makes tarfile complain about short data; the cut is the real cause.
        cause = self._gzip.ended_early if self._gzip and self._gzip.ended_early else exc
        return BrokenStreamError(cause)


class _Gunzip:
    """gzip members (and zero padding between them) decoded as a readable stream."""

    def __init__(self, stream: "_Prefixed") -> None:
        self._stream = stream
        self._decoder = zlib.decompressobj(wbits=_GZIP_WBITS)
        self._buffer = bytearray()
        self._done = False
        self.ended_early: EOFError | None = None

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._fill()
        size = len(self._buffer) if size < 0 else size
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def finish(self) -> None:
        """Read to the end (tar padding): raise if the gzip stream did not end properly."""
        while self.read(_CHUNK):
            pass
        if self.ended_early is not None:
            raise self.ended_early

    def _fill(self) -> None:
        if self._decoder.eof:
            self._next_member(self._decoder.unused_data)
            return
        data = self._decoder.unconsumed_tail or self._stream.read(_CHUNK)
        if not data:
            self.ended_early = EOFError(
                "Compressed file ended before the end-of-stream marker was reached"
            )
            self._done = True
            return
        self._buffer += self._decoder.decompress(data, _CHUNK * _MAX_EXPANSION)

    def _next_member(self, rest: bytes) -> None:
        # gzip allows several members and zero padding after one (gzip FAQ 8).
        rest = rest.lstrip(b"\0")
        while not rest:
            more = self._stream.read(_CHUNK)
            if not more:
                self._done = True
                return
            rest = more.lstrip(b"\0")
        self._decoder = zlib.decompressobj(wbits=_GZIP_WBITS)
        self._buffer += self._decoder.decompress(rest, _CHUNK * _MAX_EXPANSION)


class _Prefixed:
    """A stream with bytes already read put back in front."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if not self._prefix:
            return self._stream.read(size)
        if size < 0:
            head, self._prefix = self._prefix, b""
            return head + self._stream.read()
        head, self._prefix = self._prefix[:size], self._prefix[size:]
        return head + (self._stream.read(size - len(head)) if size > len(head) else b"")
