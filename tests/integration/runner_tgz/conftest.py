"""A "Zimbra server" for runner-tgz: the session's real sshd plus the zmmailbox stand-in."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from mailferry_bus import BusSettings
from mailferry_devstack.nats_process import NatsProcess
from mailferry_runner_tgz.adapters.ssh import SshAccess
from mailferry_runner_tgz.zmmailbox import parse_ssh_target
from tests.fixtures import zmmailbox_standin
from tests.fixtures.sshd_server import SshdServer, SshLogin

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class ZimbraServer:
    """One test's view of the server: its own state directory and SSH login."""

    home: Path
    login: SshLogin

    def add_account(self, account: str, export: bytes = b"") -> str:
        """Create an account whose export is ``export``; return its SHA-256."""
        (self.home / account).mkdir()
        (self.home / account / "export.tgz").write_bytes(export)
        return hashlib.sha256(export).hexdigest()

    def items(self, account: str) -> dict[str, int]:
        state = self.home / account / "mailbox.json"
        box = json.loads(state.read_text()) if state.exists() else {}
        return {path: len(digests) for path, digests in box.items()}

    def calls(self) -> list[list[str]]:
        log = self.home / "calls.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def posts(self) -> list[dict[str, dict[str, int]]]:
        log = self.home / "posts.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def access(self, login: SshLogin | None = None, **overrides: object) -> SshAccess:
        login = login or self.login
        values: dict[str, object] = {
            "target": parse_ssh_target(login.target),
            "key_file": login.key_file,
            "known_hosts_file": login.known_hosts_file,
            "run_as": "root",
            "connect_timeout": 10.0,
            "command_timeout": 60.0,
            "remote_dir": str(self.home),
        }
        values.update(overrides)
        return SshAccess(**values)  # type: ignore[arg-type]


@pytest.fixture
def zimbra_server(sshd_server: SshdServer, tmp_path: Path) -> ZimbraServer:
    home = tmp_path / "zimbra"
    home.mkdir()
    bin_dir = zmmailbox_standin.install(tmp_path)
    login = sshd_server.login(
        {"PATH": f"{bin_dir}:{SYSTEM_PATH}", zmmailbox_standin.HOME_VARIABLE: str(home)}
    )
    return ZimbraServer(home, login)


@dataclass
class ZimbraHosts:
    """Two servers on the session's sshd, each with its own stand-in state and SSH key:
    the source Zimbra the mailboxes are exported from, and the destination Carbonio."""

    source: ZimbraServer
    carbonio: ZimbraServer
    sshd: SshdServer


def _standin_server(sshd_server: SshdServer, directory: Path) -> ZimbraServer:
    home = directory / "home"
    home.mkdir(parents=True)
    bin_dir = zmmailbox_standin.install(directory)
    login = sshd_server.login(
        {"PATH": f"{bin_dir}:{SYSTEM_PATH}", zmmailbox_standin.HOME_VARIABLE: str(home)}
    )
    return ZimbraServer(home, login)


@pytest.fixture
def zimbra_hosts(sshd_server: SshdServer, tmp_path: Path) -> ZimbraHosts:
    return ZimbraHosts(
        _standin_server(sshd_server, tmp_path / "source"),
        _standin_server(sshd_server, tmp_path / "carbonio"),
        sshd_server,
    )


def seed_source(server: ZimbraServer, account: str, export: bytes) -> str:
    """An account whose export is ``export`` and whose folders hold what the export holds
    (so that ``getAllFolders`` on the source counts it); return the export's SHA-256."""
    digest = server.add_account(account, export)
    account_dir = server.home / account
    zmmailbox_standin._post(server.home, account_dir, account_dir / "export.tgz")
    (server.home / "posts.log").unlink()
    return digest


@pytest.fixture
def bus_settings(private_nats: NatsProcess) -> BusSettings:
    """A NATS server per test here: every runner-tgz app shares the dispatcher durable and the
    work queue, so a command one test leaves behind (it failed half-way) would otherwise be
    run by the next test's runner, with that test's SSH keys and stand-in state."""
    return BusSettings(nats_url=private_nats.url)
