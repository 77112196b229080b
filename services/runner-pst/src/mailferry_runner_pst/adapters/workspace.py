"""One private directory per run attempt: 0700, removed afterwards whatever happens."""

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

_PREFIX = "run-"


@asynccontextmanager
async def private_dir(root: Path) -> AsyncIterator[Path]:
    """A fresh 0700 directory under ``root`` named after this process (for the sweep)."""
    path = await asyncio.to_thread(_make, root)
    try:
        yield path
    finally:
        await asyncio.to_thread(shutil.rmtree, path, ignore_errors=True)


def _make(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=root))


def sweep_stale(root: Path) -> int:
    """Remove run directories of processes that no longer exist (killed outright)."""
    removed = 0
    for path in root.glob(f"{_PREFIX}*"):
        pid = path.name.removeprefix(_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
