"""Checks on values that end up in a tool's arguments or a mail server's protocol. Pure.

One place for the API (which refuses bad input with a 422 naming the field) and the runners
(which call ``require_safe`` again right before building an argv, so that a value that reached
the log some other way still cannot become an option). A leading '-' would read as an option to
imapsync, readpst or ssh; CR/LF would split an IMAP command or a log line; NUL truncates C
strings.
"""

import re
from collections.abc import Callable, Iterable
from ipaddress import ip_address
from pathlib import PurePosixPath, PureWindowsPath

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?!-)[a-z0-9-]{2,63}(?<!-)$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_HOST = 253
MAX_EMAIL = 254
MAX_USER = 256
MAX_FOLDER = 1024
MAX_DISPLAY_NAME = 255

Problem = Callable[[str], str | None]
"""A check: why the value is unusable, or None."""


class UnsafeValueError(ValueError):
    """A value must not reach a tool; the message names the field and the reason."""


def unsafe_text(value: str, *, allow_leading_dash: bool = False) -> str | None:
    """Why ``value`` must not reach a tool (CR/LF, control characters, leading '-'), or None."""
    if "\r" in value or "\n" in value:
        return "contains a line break (CR/LF)"
    if "\x00" in value:
        return "contains a NUL character"
    if _CONTROL.search(value):
        return "contains a control character"
    if not allow_leading_dash and value.startswith("-"):
        return "starts with '-' (would be read as a command-line option)"
    return None


def _is_ip(value: str) -> bool:
    try:
        ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


def host_problem(value: str) -> str | None:
    """Why ``value`` is not a usable host name or IP address, or None."""
    problem = unsafe_text(value)
    if problem:
        return problem
    if not value or " " in value:
        return "is empty or contains a space"
    if _is_ip(value):
        return None
    if len(value) > MAX_HOST or not all(_HOST_LABEL.match(p) for p in value.rstrip(".").split(".")):
        return "is not a valid host name"
    return None


def normalise_domain(value: str) -> str:
    """Lower-case ASCII form of a mail domain (IDN to punycode); raises ValueError."""
    problem = unsafe_text(value)
    if problem:
        raise ValueError(f"domain {problem}")
    text = value.strip().rstrip(".").lower()
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError("domain is not a valid internationalised name") from exc
    if not _DOMAIN.match(text):
        raise ValueError("domain must look like example.com")
    return text


def email_problem(value: str) -> str | None:
    """Why ``value`` is not a usable mailbox address, or None."""
    problem = unsafe_text(value)
    if problem:
        return problem
    if len(value) > MAX_EMAIL:
        return f"is longer than {MAX_EMAIL} characters"
    if not _EMAIL.match(value):
        return "is not an email address (expected name@example.com)"
    return None


def username_problem(value: str) -> str | None:
    """Why ``value`` is not a usable login name (for IMAP, ssh or a Zimbra account), or None."""
    if not value:
        return "is empty"
    if len(value) > MAX_USER:
        return f"is longer than {MAX_USER} characters"
    return unsafe_text(value)


def folder_problem(value: str) -> str | None:
    r"""Why ``value`` is not a usable folder name (or folder regex), or None.

    A regex that must match a leading '-' writes it as ``\-``.
    """
    if not value.strip():
        return "is empty"
    if len(value) > MAX_FOLDER:
        return f"is longer than {MAX_FOLDER} characters"
    return unsafe_text(value)


def folder_map_problem(folder_map: dict[str, str]) -> str | None:
    """Why a folder map is unusable (empty names, line breaks, leading '-'), or None."""
    for source, target in folder_map.items():
        for name in (source, target):
            problem = folder_problem(name)
            if problem:
                return f"folder {name[:40]!r} {problem}"
    return None


def require_safe(field: str, value: str, check: Problem) -> str:
    """``value`` if ``check`` finds nothing, else ``UnsafeValueError`` naming ``field``.

    Runners call this right before putting a value into an argv or a protocol line.
    """
    problem = check(value)
    if problem:
        raise UnsafeValueError(f"{field} {problem}")
    return value


def require_safe_folders(field: str, names: Iterable[str]) -> list[str]:
    """Every name of ``names`` checked with ``folder_problem``."""
    return [require_safe(f"{field} {name[:40]!r}", name, folder_problem) for name in names]


def display_filename(name: str | None, fallback: str = "upload") -> str:
    """A client-supplied file name made safe to show and to store as a label.

    Never use it as a path: it is only the last component, without control characters, and it
    may still be any text. Storage names are ids chosen by mailferry.
    """
    raw = name or ""
    base = PureWindowsPath(PurePosixPath(raw).name).name
    cleaned = _CONTROL.sub("", base).strip().lstrip(".")
    return cleaned[:MAX_DISPLAY_NAME] or fallback
