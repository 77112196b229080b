"""Read messages straight out of an uploaded zip of .eml files, never extracting to disk."""

import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path

from mailferry_runner_pst.eml_entries import (
    SkippedEntry,
    ZipLimits,
    entry_folder,
    refuse_entry,
)
from mailferry_runner_pst.folders import map_folder
from mailferry_runner_pst.messages import LocalMessage, prepare

_CHUNK = 1024 * 1024


class NotAZipError(ValueError):
    """The upload is not a readable zip archive (error class ``file_not_supported``)."""


class ZipLimitError(ValueError):
    """The zip as a whole is over a limit (entry count or total size): nothing more is read."""


def read_eml_zip(
    path: Path,
    skipped: list[SkippedEntry],
    folder_map: Mapping[str, str] | None = None,
    limits: ZipLimits | None = None,
    *,
    include_deleted: bool = False,
) -> Iterator[LocalMessage]:
    """Messages of every safe ``.eml`` entry; refused entries are appended to ``skipped``."""
    limits = limits or ZipLimits()
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise NotAZipError(f"not a zip archive: {exc}") from exc
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > limits.max_entries:
            raise ZipLimitError(f"{len(entries)} entries; the limit is {limits.max_entries}")
        total = 0
        for info in entries:
            reason = refuse_entry(
                info.filename, info.file_size, info.compress_size, info.flag_bits, limits
            )
            data, reason = (None, reason) if reason else _read(archive, info, limits)
            if data is None:
                skipped.append(SkippedEntry(info.filename, reason or "unreadable"))
                continue
            total += len(data)
            if total > limits.max_total_bytes:
                raise ZipLimitError(f"more than {limits.max_total_bytes} bytes uncompressed")
            folder = entry_folder(info.filename) or ()
            target = map_folder(folder, folder_map, include_deleted=include_deleted)
            if target.excluded is not None:
                skipped.append(SkippedEntry(info.filename, target.excluded))
                continue
            prepared = prepare(data)
            yield LocalMessage(
                raw=prepared.raw,
                flags=prepared.flags,
                internal_date=prepared.internal_date,
                source_folder=folder,
                target=target,
                origin=info.filename,
            )


def _read(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits
) -> tuple[bytes | None, str | None]:
    try:
        data = _read_capped(archive, info, limits.max_entry_bytes)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        return None, f"corrupt entry: {exc}"
    if data is None:
        return None, f"inflates beyond {limits.max_entry_bytes} bytes"
    return data, None


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    # Declared sizes can lie: count what actually inflates and stop just past the cap.
    parts: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > cap:
                return None
            parts.append(chunk)
    return b"".join(parts)
