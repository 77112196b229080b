"""The whole stack as an operator runs it: API, projector, gate and runner-imap processes.

Each service is ``python -m <module>`` with its settings in ``MIGRATION_*`` variables, on a
NATS server and a PostgreSQL database of its own, so ``kill -9`` is a real process death. The
services' output goes to files, searched by the no-secret test. The gate delivers gate_ready to
one webhook on ``webhook_port``, where a test may start a receiver (until then, it retries).
"""

import json
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import SecretStr

from mailferry_api.auth.tokens import issue_token
from mailferry_api.settings import AuthSettings
from mailferry_bus import utc_now
from mailferry_contracts.common import Role
from mailferry_devstack.ports import free_port, wait_until
from mailferry_vault import generate_key_spec

RUNNER_TIMINGS = {
    "MIGRATION_ACK_WAIT_S": "4",
    "MIGRATION_HEARTBEAT_S": "0.5",
    "MIGRATION_LEASE_TTL_S": "4",
    "MIGRATION_IDLE_POLL_S": "0.2",
    "MIGRATION_RETRY_BASE_S": "0.5",
    "MIGRATION_RETRY_MAX_S": "1",
    "MIGRATION_KILL_GRACE_S": "2",
}
GATE_TIMINGS = {
    "MIGRATION_GATE_LEASE_TTL_S": "4",
    "MIGRATION_GATE_WEBHOOK_BASE_DELAY_S": "0.5",
    "MIGRATION_GATE_WEBHOOK_MAX_DELAY_S": "2",
    "MIGRATION_GATE_WEBHOOK_MAX_ATTEMPTS": "20",
}


@dataclass
class Stack:
    """Service processes of one test module."""

    base: Path
    nats_url: str
    database_url: str
    api_port: int = field(default_factory=free_port)
    jwt_secret: str = field(default_factory=lambda: "e2e-" + uuid.uuid4().hex * 2)
    credentials_key: str = field(default_factory=lambda: generate_key_spec("e2e"))
    webhook_port: int = field(default_factory=free_port)
    webhook_secret: str = field(default_factory=lambda: "hook-" + uuid.uuid4().hex)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    imapsync_bin: Path | None = None
    """The runners' imapsync (the stand-in in tests: real imapsync is not installable here)."""

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.webhook_port}/hooks/gate"

    def env(self, name: str, **extra: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("MIGRATION_")}
        return {
            **base,
            "MIGRATION_NATS_URL": self.nats_url,
            "MIGRATION_DATABASE_URL": self.database_url,
            "MIGRATION_JWT_SECRET": self.jwt_secret,
            "MIGRATION_CREDENTIALS_KEY": self.credentials_key,
            "MIGRATION_API_PORT": str(self.api_port),
            "MIGRATION_PROJECTOR_HEALTH_PORT": "0",
            "MIGRATION_HEALTH_PORT": str(free_port()),
            "MIGRATION_DATA_PATH": str(self.base / name),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    def start(self, name: str, module: str, **extra: str) -> subprocess.Popen[bytes]:
        (self.base / name).mkdir(parents=True, exist_ok=True)
        with (self.base / f"{name}.out").open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", module],
                env=self.env(name, **extra),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes[name] = process
        return process

    def command(self, module: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run an operator's command (``python -m module args``) against this stack."""
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            env=self.env(f"cli-{module}"), capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip

    def start_runner(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        if self.imapsync_bin is not None:
            env = {"MIGRATION_IMAPSYNC_BIN": str(self.imapsync_bin), **env}
        return self.start(
            name,
            "mailferry_runner_imap",
            MIGRATION_RUNNER_ID=name,
            MIGRATION_WORK_DIR=str(self.base / name / "work"),
            **{**RUNNER_TIMINGS, **env},
        )

    def start_gate(self) -> subprocess.Popen[bytes]:
        hooks = [{"url": self.webhook_url, "secret": self.webhook_secret}]
        return self.start(
            "gate", "mailferry_gate", MIGRATION_GATE_WEBHOOKS=json.dumps(hooks), **GATE_TIMINGS
        )

    def start_all(self, runners: int) -> None:
        self.start("api", "mailferry_api")
        self.start("projector", "mailferry_projector")
        self.start_gate()
        for index in range(1, runners + 1):
            self.start_runner(f"r{index}")
        self.wait_until_up()

    def wait_until_up(self) -> None:
        wait_until(self._api_up, timeout=60, what="the API answering /healthz")

    def _api_up(self) -> bool:
        try:
            return httpx.get(f"{self.api_url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self, name: str) -> None:
        """``kill -9``: no cleanup, no ack, no goodbye."""
        process = self.processes.pop(name)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def token(self, role: Role = Role.TECHNICIAN, user: str = "operator@example.com") -> str:
        settings = AuthSettings(jwt_secret=SecretStr(self.jwt_secret))
        return issue_token(settings, user=user, role=role, ttl_s=3600, now=utc_now())

    def warnings(self, per_service: int) -> str:
        """Each service's last warning, error and traceback lines."""
        marks = ("WARNING", "ERROR", "CRITICAL", "Traceback", "Error:")
        found = []
        for path in sorted(self.base.glob("*.out")):
            lines = path.read_text(errors="replace").splitlines()
            marked = [line for line in lines if any(mark in line for mark in marks)]
            found += [f"{path.stem}: {line}" for line in marked[-per_service:]]
        return "\n".join(found) or "(none)"

    def service_output(self) -> str:
        return "".join(path.read_text(errors="replace") for path in sorted(self.base.glob("*.out")))
