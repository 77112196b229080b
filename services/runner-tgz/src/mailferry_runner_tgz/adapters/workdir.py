"""The runner's private work directory: one 0700 directory per run attempt, removed after.

Exports never touch a shared disk: they live here only while their run lasts. A directory left
by a process that died is swept when the runner starts (the data path is this process's own).
"""

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

PREFIX = "run-"


def prepare(root: Path) -> int:
    """Create ``root`` (0700) and remove run directories left behind; return how many."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    root.chmod(0o700)
    stale = [path for path in root.iterdir() if path.name.startswith(PREFIX)]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)


@asynccontextmanager
async def run_directory(root: Path, run_id: uuid.UUID, attempt: int) -> AsyncIterator[Path]:
    """A fresh private directory for one attempt; removed with everything in it afterwards."""
    path = root / f"{PREFIX}{run_id}-{attempt}"
    await asyncio.to_thread(shutil.rmtree, path, True)
    await asyncio.to_thread(path.mkdir, 0o700, True)
    try:
        yield path
    finally:
        await asyncio.to_thread(shutil.rmtree, path, True)
