"""Stream messages out of mbox files: readpst's output tree, or an uploaded mbox.

Files are read line by line in a worker thread, one message at a time, so a 2 GB mbox never
sits in memory and the event loop is never blocked by disk reads.
"""

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

from mailferry_runner_pst.extraction import ExtractedStore
from mailferry_runner_pst.folders import FolderTarget, map_folder
from mailferry_runner_pst.mbox import DEFAULT_MAX_MESSAGE_BYTES, RawMessage, split_mbox
from mailferry_runner_pst.messages import LocalMessage, prepare

_MBOX_FILE = re.compile(r"^mbox(\d{8})?$")
OnOversized = Callable[[FolderTarget, str, RawMessage], None]
"""Told about each message over the size limit: its folder, its name, where it starts."""


def read_mbox(
    path: Path,
    target: FolderTarget,
    origin: str,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    on_oversized: OnOversized | None = None,
    *,
    from_readpst: bool = False,
) -> Iterator[LocalMessage]:
    """Messages of one mbox file, in file order (blocking; see ``aiter_messages``)."""
    with path.open("rb") as stream:
        for raw in split_mbox(stream, max_message_bytes):
            name = f"{origin}#{raw.index + 1} (line {raw.line})"
            if raw.oversized:
                if on_oversized is not None:
                    on_oversized(target, name, raw)
                continue
            prepared = prepare(raw.data, raw.from_line, from_readpst=from_readpst)
            yield LocalMessage(
                raw=prepared.raw,
                flags=prepared.flags,
                internal_date=prepared.internal_date,
                source_folder=target.source,
                target=target,
                origin=name,
            )


def readpst_messages(
    output_dir: Path,
    extracted: ExtractedStore,
    folder_map: Mapping[str, str] | None = None,
    *,
    include_deleted: bool = False,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    on_oversized: OnOversized | None = None,
) -> Iterator[LocalMessage]:
    """Every message readpst wrote, folder by folder; excluded folders are skipped."""
    if extracted.store_dir is None:
        return
    store = output_dir / extracted.store_dir
    for folder in extracted.folders:
        target = map_folder(folder.path, folder_map, include_deleted=include_deleted)
        if target.excluded is not None:
            continue
        directory = store.joinpath(*folder.path)
        for path in sorted(p for p in directory.iterdir() if _MBOX_FILE.match(p.name)):
            origin = "/".join((*folder.path, path.name))
            yield from read_mbox(
                path, target, origin, max_message_bytes, on_oversized, from_readpst=True
            )


async def aiter_messages(messages: Iterator[LocalMessage]) -> AsyncIterator[LocalMessage]:
    """Drive a blocking message iterator from a worker thread, one message per hop."""
    while (item := await asyncio.to_thread(_next_or_none, messages)) is not None:
        yield item


def _next_or_none(messages: Iterator[LocalMessage]) -> LocalMessage | None:
    return next(messages, None)
