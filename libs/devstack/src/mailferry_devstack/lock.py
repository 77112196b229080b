"""One local stack per data directory: a second ``up`` on the same data fails with a clear error."""

import fcntl
import os
from pathlib import Path
from types import TracebackType


class DataDirBusyError(RuntimeError):
    """Another supervisor holds the data directory."""


class DataDirLock:
    """An exclusive ``flock`` on ``<data>/devstack.lock``, released when the process ends."""

    def __init__(self, data_path: Path) -> None:
        self._path = data_path / "devstack.lock"
        self._fd: int | None = None

    def __enter__(self) -> "DataDirLock":
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise DataDirBusyError(
                f"{self._path.parent} is in use by another local stack (pid {holder}); stop it "
                "or set MIGRATION_DATA_PATH to another directory"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
