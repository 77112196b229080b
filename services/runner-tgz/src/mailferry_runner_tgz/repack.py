"""Rewrite the intact front of a cut archive as a complete one (pure over binary streams).

Zimbra's own importer on a cut gzip stream is what ZCS-3093 was about: what it keeps and what
it reports is not something to rely on. So a truncated export is never posted as it is: the
entries read whole are written into a new, well-formed archive, and that is imported. A
``.meta`` right before the cut is kept only when it announces no content (``size`` 0: folders,
most contacts); otherwise its blob was cut off and the item goes with it, so the new archive
holds only items Zimbra can take in full.

Headers keep name, mode, mtime and ``gname``; ``devmajor`` is written as 0, which Zimbra's
importer treats as "no type to check" (its reader checks the ``.meta`` type instead).
"""

import gzip
import tarfile
from typing import BinaryIO

from mailferry_runner_tgz.items import MetaError, parse_meta
from mailferry_runner_tgz.tarstream import BrokenStreamError, TarStream

META_SUFFIX = ".meta"


class _Writer:
    def __init__(self, target: BinaryIO) -> None:
        self._gzip = gzip.GzipFile(fileobj=target, mode="wb", mtime=0)
        self._tar = tarfile.open(  # noqa: SIM115 - closed in close(), with the gzip under it
            fileobj=self._gzip, mode="w|", format=tarfile.GNU_FORMAT
        )
        self.written = 0

    def add(self, member: tarfile.TarInfo, data: bytes) -> None:
        copy = tarfile.TarInfo(member.name)
        copy.size, copy.mode, copy.mtime = len(data), member.mode, member.mtime
        copy.uname, copy.gname = member.uname, member.gname
        self._tar.addfile(copy, _Bytes(data))
        self.written += 1

    def close(self) -> None:
        self._tar.close()
        self._gzip.close()


class _Bytes:
    """The smallest file object ``tarfile.addfile`` reads from."""

    def __init__(self, data: bytes) -> None:
        self._view = memoryview(data)
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size < 0 else self._offset + size
        chunk = self._view[self._offset : end].tobytes()
        self._offset += len(chunk)
        return chunk


def copy_intact(source: BinaryIO, target: BinaryIO) -> int:
    """Copy every whole entry of ``source`` into a new gzip tar on ``target``; return how many."""
    writer = _Writer(target)
    try:
        _copy(source, writer)
    finally:
        writer.close()
    return writer.written


def _copy(source: BinaryIO, writer: _Writer) -> None:
    try:
        reader = TarStream(source)
    except BrokenStreamError:
        return  # not even a first header: an empty, well-formed archive
    held: tuple[tarfile.TarInfo, bytes] | None = None
    reader_done = False
    while True:
        try:
            member = reader.next()
            if member is None:
                reader_done = True
                break
            data = reader.read(member) if member.isfile() else None
        except BrokenStreamError:
            break  # the cut
        if data is None:
            continue
        if held is not None:
            writer.add(*held)
            held = None
        if member.name.endswith(META_SUFFIX):
            held = (member, data)  # written once what follows it is known to be whole
        else:
            writer.add(member, data)
    if held is not None and (reader_done or _contentless(held[1])):
        writer.add(*held)


def _contentless(meta: bytes) -> bool:
    """Whether a ``.meta`` announces no content (``size`` 0: folders, most contacts)."""
    try:
        return parse_meta(meta).size == 0
    except MetaError:
        return False
