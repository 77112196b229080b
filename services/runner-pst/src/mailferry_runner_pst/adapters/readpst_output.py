"""Read back what readpst -r wrote: one directory per folder, counted item by item.

Counting streams every file line by line, so a multi-gigabyte mbox never sits in memory.
readpst writes the first file of a kind as ``mbox`` and, if that name is taken (sibling
folders with the same sanitised name share a directory), ``mbox00000001`` and so on; all of
them belong to the directory's folder.
"""

import os
import re
from collections import Counter
from pathlib import Path

from mailferry_runner_pst.counts import OutputFile
from mailferry_runner_pst.extraction import ExtractedFolder, ExtractedStore

_OUTPUT_NAME = re.compile(r"^(?P<kind>mbox|calendar|contacts|journal)(?P<n>\d{8})?$")
_MARKERS: dict[OutputFile, bytes] = {
    OutputFile.MBOX: b"From ",
    OutputFile.CALENDAR: b"BEGIN:VEVENT",
    OutputFile.CONTACTS: b"BEGIN:VCARD",
    OutputFile.JOURNAL: b"BEGIN:VJOURNAL",
}


def scan_output(output_dir: Path) -> ExtractedStore:
    """The store directory under ``output_dir`` and every folder's counts."""
    stores = sorted(p for p in output_dir.iterdir() if p.is_dir())
    strays = [p.name for p in output_dir.iterdir() if not p.is_dir()]
    if not stores:
        return ExtractedStore(store_dir=None, stray_files=tuple(strays))
    store = stores[0]
    strays += [p.name + "/" for p in stores[1:]]
    folders, more_strays = _walk(store)
    return ExtractedStore(store.name, tuple(folders), tuple(strays + more_strays))


def output_files(output_dir: Path, kind: OutputFile) -> list[Path]:
    """Every file of one kind (e.g. the calendars kept for download), in a stable order."""
    return sorted(
        p
        for p in output_dir.rglob("*")
        if p.is_file() and (m := _OUTPUT_NAME.match(p.name)) and m["kind"] == kind.value
    )


def _walk(store: Path) -> tuple[list[ExtractedFolder], list[str]]:
    folders: list[ExtractedFolder] = []
    strays: list[str] = []
    for directory, _, files in sorted(os.walk(store)):
        relative = Path(directory).relative_to(store).parts
        counts: Counter[OutputFile] = Counter()
        for name in sorted(files):
            match = _OUTPUT_NAME.match(name)
            if match is None:
                strays.append("/".join((*relative, name)))
                continue
            kind = OutputFile(match["kind"])
            counts[kind] += count_items(Path(directory) / name, kind)
        if counts:
            folders.append(ExtractedFolder(tuple(relative), dict(counts)))
    return folders, strays


def count_items(path: Path, kind: OutputFile) -> int:
    """Items in one output file: From_ lines of an mbox, BEGIN lines of the others."""
    marker = _MARKERS[kind]
    with path.open("rb") as stream:
        return sum(1 for line in stream if line.startswith(marker))
