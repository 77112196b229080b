"""A private Dovecot 2.3 IMAP server on a loopback port, for tests and the local demo stack.

Everything lives under one base directory: the generated ``dovecot.conf``, the passwd-file
(users, passwords, per-user quota), the mail homes, the runtime sockets and ``dovecot.log``
(kept after ``stop`` for debugging). The server runs in the foreground (``dovecot -F``) as a
child process and is stopped by its PID.

Dovecot refuses mail access as uid 0, so as root the mail processes run as the system ``mail``
user and every directory above the base directory must be traversable by it (and by the
``dovecot``/``dovenull`` service users). As another user, everything runs as that user.

Users can be added, removed and given a new quota while the server runs. Each user has its own
passwd-file (``passwd.d/<user>``): Dovecot stats a passwd-file at most once per second, so a new
user in a shared file could stay invisible for up to a second, while a new file is always read.
Changing or removing an existing user reloads the server (SIGHUP), which starts fresh auth
processes; the call returns once the master logged the reload.
"""

import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mailferry_devstack.dovecot_config import (
    DovecotOptions,
    Layout,
    render_config,
    service_user,
    write_self_signed,
)
from mailferry_devstack.ports import free_port, port_open, wait_until

__all__ = ["DovecotOptions", "DovecotServer", "MailUser", "SessionStats", "stop_all"]

_USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")


@dataclass(frozen=True)
class MailUser:
    """A user of one server."""

    name: str
    password: str
    home: Path
    quota_bytes: int | None = None


@dataclass(frozen=True)
class SessionStats:
    """IMAP sessions of one user, read from the server log."""

    total: int
    peak: int


@dataclass
class DovecotServer:
    """One Dovecot instance; ``start``/``stop`` keep the users and their mail."""

    base_dir: Path
    options: DovecotOptions = field(default_factory=DovecotOptions)
    port: int = field(default_factory=free_port)
    tls_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _users: dict[str, MailUser] = field(default_factory=dict)

    @property
    def host(self) -> str:
        """Address the server listens on."""
        return "127.0.0.1"

    @property
    def layout(self) -> Layout:
        """Its files and ports."""
        return Layout(self.base_dir, self.port, self.tls_port)

    @property
    def log_path(self) -> Path:
        """Every log line of the instance (kept after stop)."""
        return self.layout.log_path

    @property
    def mail_uid(self) -> int:
        """Uid owning the mail files (``mail`` as root, else the current user)."""
        return self.layout.mail_uid

    @property
    def mail_gid(self) -> int:
        """Gid owning the mail files."""
        return self.layout.mail_gid

    def start(self, timeout: float = 15.0) -> "DovecotServer":
        """Write the configuration and start; return once the IMAP port accepts connections."""
        self._prepare_dirs()
        self.layout.config_path.write_text(self._config())
        log = self.base_dir / "dovecot.stderr"
        with log.open("ab") as stderr:
            self.process = subprocess.Popen(
                [str(dovecot_binary()), "-F", "-c", str(self.layout.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
            )
        wait_until(self._ready, timeout, f"dovecot on port {self.port} (see {self.log_path})")
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the master and wait for it (and its children) to exit; kill if it hangs.

        Dovecot's master gives its children a second to go, so stopping several servers is
        faster with ``stop_all``.
        """
        self.terminate()
        self.wait(timeout)

    def terminate(self) -> None:
        """Ask the master to shut down (SIGTERM) without waiting."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 15.0) -> None:
        """Wait for the master to exit; kill it if it takes longer than ``timeout``."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "DovecotServer":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def add_user(self, name: str, password: str, quota_bytes: int | None = None) -> MailUser:
        """Create a user (its home is created at once); takes effect immediately."""
        if not _USER_NAME.match(name):
            raise ValueError(f"user name {name!r}: use letters, digits and . _ @ + -")
        if ":" in password or "\n" in password:
            raise ValueError(f"password of {name!r} must not contain ':' or a newline")
        if name in self._users:
            raise ValueError(f"user {name!r} already exists on port {self.port}")
        user = MailUser(name, password, self.base_dir / "home" / name, quota_bytes)
        user.home.mkdir(parents=True, exist_ok=True)
        os.chown(user.home, self.mail_uid, self.mail_gid)
        self._users[name] = user
        self._write_passwd(user)
        return user

    def remove_user(self, name: str) -> None:
        """Delete a user and all its mail; new logins fail at once."""
        user = self._users.pop(name)
        (self.layout.passwd_dir / name).unlink()
        self.reload()
        shutil.rmtree(user.home, ignore_errors=True)

    def set_quota(self, name: str, quota_bytes: int | None) -> MailUser:
        """Change (or remove, with None) a user's storage quota; new sessions see it."""
        user = self.user(name)
        updated = MailUser(user.name, user.password, user.home, quota_bytes)
        self._users[name] = updated
        self._write_passwd(updated)
        self.reload()
        return updated

    def reload(self, timeout: float = 15.0) -> None:
        """SIGHUP the master (fresh auth processes) and wait until it says so in the log."""
        if self.process is None or self.process.poll() is not None:
            return
        before = self._log_text().count(_RELOADED)
        self.process.send_signal(signal.SIGHUP)
        wait_until(
            lambda: self._log_text().count(_RELOADED) > before,
            timeout,
            f"dovecot reload on port {self.port}",
        )

    def user(self, name: str) -> MailUser:
        """A user created with ``add_user``."""
        try:
            return self._users[name]
        except KeyError:
            raise KeyError(f"no user {name!r} on the dovecot at port {self.port}") from None

    def maildir(self, name: str) -> Path:
        """Root of a user's Maildir (``LAYOUT=fs``: one directory per folder, INBOX included)."""
        if self.options.mail_format != "maildir":
            raise ValueError(f"the dovecot on port {self.port} stores {self.options.mail_format}")
        return self.user(name).home / "Maildir"

    def sessions(self, name: str) -> SessionStats:
        """Total and peak concurrent IMAP sessions of a user, from the log."""
        return session_stats(self._log_text().splitlines(), name)

    def _log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(
                f"dovecot exited with {self.process.returncode}; see {self.log_path} "
                f"and {self.base_dir / 'dovecot.stderr'}"
            )
        return port_open(self.port) and (not self.options.tls or port_open(self.tls_port))

    def _prepare_dirs(self) -> None:
        (self.base_dir / "home").mkdir(parents=True, exist_ok=True)
        (self.base_dir / "state").mkdir(exist_ok=True)
        if os.geteuid() == 0:
            os.chown(self.base_dir / "home", self.mail_uid, self.mail_gid)
            for directory in [self.base_dir, *self.base_dir.parents]:
                mode = directory.stat().st_mode
                if not mode & 0o001:
                    directory.chmod(mode | 0o001)
        if self.options.tls and not self.layout.cert_path.exists():
            write_self_signed(self.layout.cert_path, self.layout.key_path)

    def _write_passwd(self, user: MailUser) -> None:
        self.layout.passwd_dir.mkdir(exist_ok=True)
        tmp = self.layout.passwd_dir / f".{user.name}.tmp"
        tmp.write_text(self._passwd_line(user))
        os.replace(tmp, self.layout.passwd_dir / user.name)

    def _passwd_line(self, user: MailUser) -> str:
        extra = f"userdb_quota_rule=*:storage={user.quota_bytes}B" if user.quota_bytes else ""
        uid, gid = self.mail_uid, self.mail_gid
        return f"{user.name}:{{PLAIN}}{user.password}:{uid}:{gid}::{user.home}::{extra}\n"

    def _config(self) -> str:
        return render_config(self.options, self.layout, service_user())


def dovecot_binary() -> Path:
    """The ``dovecot`` master binary (Debian: /usr/sbin, often not on a user's PATH)."""
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise FileNotFoundError(
            "dovecot not found: apt-get install dovecot-imapd (Dovecot 2.3; apt does not start it)"
        )
    return Path(found)


def stop_all(*servers: DovecotServer) -> None:
    """Stop several servers at once (their shutdown delays overlap)."""
    for server in servers:
        server.terminate()
    for server in servers:
        server.wait()


_RELOADED = "SIGHUP received - reloading configuration"
_LOGIN = re.compile(r"imap-login: Info: Login: user=<([^>]*)>.*?session=<([^>]*)>")
_LOGOUT = re.compile(r"imap\(([^)]*)\)<\d+><([^>]*)>: Info: Disconnected")


def session_stats(lines: list[str], name: str) -> SessionStats:
    """Count a user's sessions: each Login opens one, its Disconnected line closes it."""
    open_sessions: set[str] = set()
    total = peak = 0
    for user, session, opened in _session_events(lines):
        if user != name:
            continue
        if opened:
            open_sessions.add(session)
            total += 1
            peak = max(peak, len(open_sessions))
        else:
            open_sessions.discard(session)
    return SessionStats(total=total, peak=peak)


def _session_events(lines: list[str]) -> Iterator[tuple[str, str, bool]]:
    for line in lines:
        if match := _LOGIN.search(line):
            yield match.group(1), match.group(2), True
        elif match := _LOGOUT.search(line):
            yield match.group(1), match.group(2), False
