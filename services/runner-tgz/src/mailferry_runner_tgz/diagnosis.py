"""What a failed zmmailbox run means, and its ``getAllFolders`` table (pure).

zmmailbox reports errors on stderr as ``ERROR: <code> (<message>)`` (``ZMailboxUtil``), e.g.
``ERROR: account.NO_SUCH_ACCOUNT (no such account: ann@example.com)``. Failures before it
starts come from the shell (exit 127, ``command not found``) or from ``su``.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mailferry_runner_tgz.zmmailbox import COMMAND_NOT_FOUND

Side = Literal["source", "target"]
MAX_DETAIL = 500
_LINK_SUFFIX = re.compile(r" \(.*\)$")
_ZIMBRA_ERROR = re.compile(r"ERROR:\s*([a-z]+\.[A-Z_]+)")
_NOT_FOUND = re.compile(r"command not found|zmmailbox: not found|zmmailbox: No such file")
_AUTH_CODES = frozenset(
    {
        "account.AUTH_FAILED",
        "account.ACCOUNT_INACTIVE",
        "account.CHANGE_PASSWORD",
        "service.AUTH_REQUIRED",
        "service.AUTH_EXPIRED",
        "service.PERM_DENIED",
    }
)
_CODE_CLASSES = {
    "account.NO_SUCH_ACCOUNT": "invalid_input",
    "mail.QUOTA_EXCEEDED": "over_quota",
    "service.UNAVAILABLE": "connection_failed",
    "formatter.INVALID_FORMAT": "file_not_supported",
    "formatter.INVALID_TYPE": "file_not_supported",
}


@dataclass(frozen=True)
class Failure:
    """An error class (contracts' vocabulary) and a message for operators."""

    error_class: str
    message: str


def classify_exit(
    exit_status: int | None, stderr: Iterable[str], *, run_as: str, host: str, side: Side
) -> Failure:
    """Classify a non-zero exit from the remote command line."""
    lines = [line.strip() for line in stderr if line.strip()]
    text = "\n".join(lines)
    detail = _detail(lines, exit_status)
    if exit_status == COMMAND_NOT_FOUND or _NOT_FOUND.search(text):
        return Failure("tool_missing", f"zmmailbox not found on {host} for {run_as}: {detail}")
    shell = _su_failure(text, run_as=run_as, host=host, side=side)
    if shell is not None:
        return shell
    code = _ZIMBRA_ERROR.search(text)
    if code is not None:
        return Failure(_code_class(code.group(1), text, side), f"zmmailbox on {host}: {detail}")
    return Failure("internal", f"zmmailbox on {host} failed: {detail}")


@dataclass(frozen=True)
class FolderRow:
    """One row of ``getAllFolders``.

    ``view`` is the default view cut to 4 letters (``conv``, ``mess``, ``cont``, ``appo``,
    ``task``, ``docu``...), ``count`` the items in the folder itself (not below it). ``linked``
    rows are mountpoints, search and remote folders: zmmailbox prints them with a `` (...)``
    suffix, and they hold nothing of their own.
    """

    path: str
    view: str
    unread: int
    count: int

    @property
    def linked(self) -> bool:
        return _LINK_SUFFIX.search(self.path) is not None

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(part for part in self.path.split("/") if part)


def parse_folder_rows(output: str) -> list[FolderRow]:
    """``getAllFolders``' rows ``%10.10s  %4.4s  %10d  %10d  %s`` (id, view, unread, count, path).

    The header and ruler lines do not parse as numbers and are skipped.
    """
    rows = []
    for line in output.splitlines():
        parts = line.split(None, 4)
        if len(parts) < 5 or not (parts[2].isdigit() and parts[3].isdigit()):  # noqa: PLR2004
            continue
        rows.append(FolderRow(parts[4].strip(), parts[1], int(parts[2]), int(parts[3])))
    return rows


def parse_folder_counts(output: str) -> dict[str, int]:
    """``getAllFolders``: path -> ``Msg Count`` (items in the folder, not below it).

    Mountpoints, search folders and remote folders carry a `` (...)`` suffix after the path;
    the bare path is added too, without overriding a real folder of that name.
    """
    counts: dict[str, int] = {}
    suffixed: dict[str, int] = {}
    for row in parse_folder_rows(output):
        counts[row.path] = row.count
        if row.linked:
            suffixed[_LINK_SUFFIX.sub("", row.path)] = row.count
    return {**suffixed, **counts}


def _su_failure(text: str, *, run_as: str, host: str, side: Side) -> Failure | None:
    if re.search(r"su: user \S+ does not exist", text) or "No passwd entry" in text:
        return Failure(
            "tool_missing", f"no Unix user {run_as!r} on {host} (MIGRATION_ZMMAILBOX_USER)"
        )
    if "su: must be run from a terminal" in text or "su: Authentication failure" in text:
        return Failure(
            f"auth_failed_{side}",
            f"the SSH login on {host} cannot switch to {run_as!r} without a password: "
            f"log in as root or as {run_as}",
        )
    return None


def _code_class(code: str, text: str, side: Side) -> str:
    if code in _AUTH_CODES:
        return f"auth_failed_{side}"
    if code == "zclient.IO_ERROR":
        return "timeout" if "timed out" in text.lower() else "connection_failed"
    return _CODE_CLASSES.get(code, "internal")


def _detail(lines: list[str], exit_status: int | None) -> str:
    status = "killed by a signal" if exit_status is None else f"exit {exit_status}"
    last = next((line for line in reversed(lines) if "ERROR" in line), lines[-1] if lines else "")
    return f"{last[:MAX_DETAIL]} ({status})" if last else status
