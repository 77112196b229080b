"""zmmailbox over SSH: account names, remote command lines, exit classification (pure).

Commands (DESIGN §5), each run as the Zimbra system user:
- export ``zmmailbox -z -m USER -t 0 getRestURL '/?fmt=tgz'`` (stdout is the archive);
- import ``zmmailbox -z -m USER -t 0 postRestURL '/?fmt=tgz&resolve=skip' FILE``;
- count ``zmmailbox -z -m USER getAllFolders``.
``-z`` authenticates with the server's own admin credentials (localconfig), so no password
exists anywhere. ``-t 0`` lifts zmmailbox's HTTP read timeout, which otherwise cuts the REST
transfer of a large mailbox.

Running as the Zimbra user: ``su - zimbra -c '<command>'``, the idiom of Zimbra's and
Carbonio's own documentation. The login shell gives zmmailbox its environment (PATH with
``/opt/zimbra/bin``, Java settings); root needs no password for it. When the SSH login already
is that user, the command runs directly. ``sudo -u`` was not chosen: it needs a sudoers rule
on every mail server, and its ``secure_path`` drops ``/opt/zimbra/bin`` anyway.

Every argument is validated and shell-quoted; the account name is checked before any SSH
connection is opened.
"""

import re
import shlex
from dataclasses import dataclass

EXPORT_PATH = "/?fmt=tgz"
IMPORT_PATH = "/?fmt=tgz&resolve=skip"
DEFAULT_SSH_PORT = 22
COMMAND_NOT_FOUND = 127
MAX_ACCOUNT_LENGTH = 320
_FORBIDDEN = re.compile(r"[\s'\"`\\$;&|<>()\x00-\x1f\x7f]")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})|[0-9A-Fa-f:.]{2,45}")
_SSH_TARGET = re.compile(
    r"""^(?P<user>[A-Za-z0-9._][A-Za-z0-9._-]*)
    @(?P<host>[^\s@:\[\]]+|\[[0-9A-Fa-f:.]+\])
    (?::(?P<port>\d{1,5}))?$""",
    re.VERBOSE,
)


class InvalidInputError(ValueError):
    """An argument refused before anything is run; the message names it."""


@dataclass(frozen=True)
class SshTarget:
    """``user@host[:port]`` as in ``MIGRATION_CARBONIO_SSH``."""

    user: str
    host: str
    port: int = DEFAULT_SSH_PORT

    def __str__(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


def parse_ssh_target(text: str) -> SshTarget:
    """Parse ``user@host[:port]`` (IPv6 hosts in brackets)."""
    match = _SSH_TARGET.match(text.strip())
    if match is None:
        raise InvalidInputError(f"SSH target {text!r} is not user@host[:port]")
    port = int(match["port"] or DEFAULT_SSH_PORT)
    if not 1 <= port <= 65535:  # noqa: PLR2004 - the TCP port range
        raise InvalidInputError(f"SSH target {text!r}: port {port} is out of range")
    return SshTarget(match["user"], match["host"].strip("[]"), port)


def validate_host(host: str) -> str:
    """A host name or IP address from a job's source settings, safe to connect to."""
    if not _HOST.fullmatch(host):
        raise InvalidInputError(f"source host {host!r} is not a host name or IP address")
    return host


def validate_account(account: str) -> str:
    """A Zimbra account name (or id) safe to pass to zmmailbox; raise naming the problem."""
    if not account:
        raise InvalidInputError("the Zimbra account name is empty")
    if account.startswith("-"):
        raise InvalidInputError(f"Zimbra account {account!r} starts with '-' (an option)")
    bad = _FORBIDDEN.search(account)
    if bad is not None:
        raise InvalidInputError(
            f"Zimbra account {account!r} contains {bad.group()!r}: whitespace, quotes, "
            "control characters and shell metacharacters are refused"
        )
    if len(account) > MAX_ACCOUNT_LENGTH:
        raise InvalidInputError(f"Zimbra account name is longer than {MAX_ACCOUNT_LENGTH}")
    return account


def validate_system_user(user: str) -> str:
    """The Unix user zmmailbox runs as (``MIGRATION_ZMMAILBOX_USER``)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", user):
        raise InvalidInputError(f"{user!r} is not a valid Unix user name")
    return user


def export_argv(account: str) -> list[str]:
    return [
        "zmmailbox",
        "-z",
        "-m",
        validate_account(account),
        "-t",
        "0",
        "getRestURL",
        EXPORT_PATH,
    ]


def import_argv(account: str, remote_file: str) -> list[str]:
    account = validate_account(account)
    return ["zmmailbox", "-z", "-m", account, "-t", "0", "postRestURL", IMPORT_PATH, remote_file]


def folders_argv(account: str) -> list[str]:
    return ["zmmailbox", "-z", "-m", validate_account(account), "getAllFolders"]


def remote_command(argv: list[str], run_as: str, login_user: str) -> str:
    """The command line for the remote shell, switching to ``run_as`` when needed."""
    inner = shlex.join(argv)
    if run_as == login_user:
        return inner
    return shlex.join(["su", "-", validate_system_user(run_as), "-c", inner])


def handover_command(paths: list[str], run_as: str, login_user: str, then: str) -> str:
    """Give uploaded files to ``run_as`` (it must read them), then run ``then``."""
    if run_as == login_user:
        return then
    return f"{shlex.join(['chown', validate_system_user(run_as), *paths])} && {then}"
