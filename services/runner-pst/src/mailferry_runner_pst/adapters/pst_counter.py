"""Count a PST/OST's items per folder straight from the file, before readpst runs.

libpff (pypff) would be the obvious reader, but it refuses to open exactly the files that
matter here (truncated, partly zeroed), so the count uses our own tolerant reader of the
[MS-PST] structures (``mailferry_runner_pst.pstfile``).
"""

import os
from pathlib import Path

from mailferry_runner_pst.counts import CountUnavailable, StoreCount
from mailferry_runner_pst.pstfile.inventory import take_inventory
from mailferry_runner_pst.pstfile.ndb import (
    HEADER_SIZE,
    Ndb,
    NotAPstError,
    ReadAt,
    UnsupportedPstError,
    parse_header,
)


def count_items(path: Path) -> StoreCount | CountUnavailable:
    """Blocking: run it in a worker thread. Never raises for a bad file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return _count(lambda offset, size: os.pread(fd, size, offset))
    finally:
        os.close(fd)


def _count(read_at: ReadAt) -> StoreCount | CountUnavailable:
    try:
        header = parse_header(read_at(0, HEADER_SIZE))
    except NotAPstError as exc:
        return CountUnavailable(str(exc), not_a_pst=True)
    except UnsupportedPstError as exc:
        return CountUnavailable(str(exc))
    try:
        return take_inventory(Ndb(read_at, header))
    except UnsupportedPstError as exc:
        return CountUnavailable(str(exc))
