"""``python -m mailferry_api users|service-tokens ...``: people and tokens from a shell.

Passwords are read from standard input (one line, for scripts) or prompted for twice on a
terminal, never taken from the command line (argv is visible in ``/proc`` and shell history).
The events carry a ``cli:<os user>@<host>`` actor: whoever has a shell on the host.
"""

import argparse
import getpass
import socket
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TextIO

from mailferry_api.auth.passwords import Passwords
from mailferry_api.errors import ApiError
from mailferry_api.users.admin import UserAdmin
from mailferry_bus import BusSettings, open_bus, utc_now
from mailferry_contracts import Actor, ActorKind
from mailferry_contracts.common import Role
from mailferry_contracts.users import ServiceScope


@dataclass
class Console:
    """Where the CLI reads and writes (tests pass their own)."""

    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    prompt: Callable[[str], str] = getpass.getpass


def cli_actor() -> Actor:
    """The person at the shell, as far as the host knows."""
    return Actor(
        kind=ActorKind.USER,
        user=f"cli:{getpass.getuser()}@{socket.gethostname()}",
        role=None,
        user_agent="mailferry-api-cli",
    )


def read_password(console: Console) -> str:
    """One line from a pipe, or a prompt twice on a terminal."""
    if not console.stdin.isatty():
        return console.stdin.readline().rstrip("\r\n")
    first = console.prompt("password: ")
    if console.prompt("again: ") != first:
        raise ApiError("the two passwords differ", code="password_mismatch")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mailferry_api")
    sub = parser.add_subparsers(dest="group", required=True)
    users = sub.add_parser("users").add_subparsers(dest="command", required=True)
    admin = users.add_parser("create-admin", help="create a super admin (password from stdin)")
    admin.add_argument("--email", required=True)
    add = users.add_parser("add", help="create a user (password from stdin)")
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    for name in ("disable", "enable", "set-password"):
        cmd = users.add_parser(name)
        cmd.add_argument("--email", required=True)
        cmd.add_argument("--reason", default="")
    role = users.add_parser("set-role")
    role.add_argument("--email", required=True)
    role.add_argument("--role", required=True, choices=[r.value for r in Role])
    users.add_parser("list")
    tokens = sub.add_parser("service-tokens").add_subparsers(dest="command", required=True)
    issue = tokens.add_parser("issue", help="print a new token once")
    issue.add_argument("--name", required=True)
    issue.add_argument("--scope", required=True, choices=[s.value for s in ServiceScope])
    issue.add_argument("--expires-days", type=int, default=None)
    revoke = tokens.add_parser("revoke")
    revoke.add_argument("--id", required=True, type=uuid.UUID)
    tokens.add_parser("list")
    return parser


async def _users(admin: UserAdmin, args: argparse.Namespace, console: Console) -> None:
    actor, now, out = cli_actor(), utc_now(), console.stdout
    if args.command == "create-admin":
        await admin.create_user(args.email, Role.SUPER_ADMIN, read_password(console),
                                actor=actor, now=now)  # fmt: skip
        out.write(f"super admin {args.email.strip().lower()} created\n")
    elif args.command == "add":
        await admin.create_user(
            args.email, Role(args.role), read_password(console), actor=actor, now=now
        )
        out.write(f"user {args.email.strip().lower()} ({args.role}) created\n")
    elif args.command in ("disable", "enable"):
        disabled = args.command == "disable"
        await admin.set_disabled(args.email, disabled, args.reason, actor=actor, now=now)
        out.write(f"user {args.email} {args.command}d\n")
    elif args.command == "set-password":
        await admin.set_password(args.email, read_password(console), actor=actor, now=now)
        out.write(f"password of {args.email} changed; its sessions ended\n")
    elif args.command == "set-role":
        await admin.set_role(args.email, Role(args.role), actor=actor, now=now)
        out.write(f"user {args.email} is now {args.role}\n")
    else:
        for user in sorted((await admin.directory()).users.values(), key=lambda u: u.email):
            state = "disabled" if user.disabled else "enabled"
            out.write(f"{user.email}\t{user.role.value}\t{state}\n")


async def _tokens(admin: UserAdmin, args: argparse.Namespace, console: Console) -> None:
    actor, now, out = cli_actor(), utc_now(), console.stdout
    if args.command == "issue":
        expires = now + timedelta(days=args.expires_days) if args.expires_days else None
        token, token_id, _ = await admin.issue_token(
            args.name, ServiceScope(args.scope), expires_at=expires, actor=actor, now=now
        )
        out.write(f"token id: {token_id}\n{token}\n(shown once: store it now)\n")
    elif args.command == "revoke":
        await admin.revoke_token(args.id, "", actor=actor, now=now)
        out.write(f"service token {args.id} revoked\n")
    else:
        for t in (await admin.directory()).tokens.values():
            state = "revoked" if t.revoked else "active"
            out.write(f"{t.token_id}\t{t.name}\t{t.scope.value}\t{state}\n")


async def run(argv: list[str], settings: BusSettings, console: Console | None = None) -> int:
    """Run one command; 0 on success, 1 with the reason on stderr otherwise."""
    args = _parser().parse_args(argv)
    console = console or Console()
    bus = await open_bus(settings, "mailferry-api-cli")
    try:
        admin = UserAdmin(bus, Passwords())
        await (_users if args.group == "users" else _tokens)(admin, args, console)
    except ApiError as exc:
        console.stderr.write(f"error: {exc.message}\n")
        return 1
    finally:
        await bus.close()
    return 0
