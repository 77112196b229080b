"""Errors of the IMAP engine, each carrying one error class from the shared vocabulary.

The classes are those of ``mailferry_contracts.common.ERROR_CLASSES``; the runner copies them
into events unchanged. Messages never contain secrets: commands carrying credentials are never
quoted in an error.
"""

import asyncio
import ssl
from typing import Literal

Side = Literal["source", "destination"]
"""Which server of a migration a connection talks to (decides the auth_failed_* class)."""

AUTH_FAILED_SOURCE = "auth_failed_source"
AUTH_FAILED_TARGET = "auth_failed_target"
CONNECTION_FAILED = "connection_failed"
TLS_FAILED = "tls_failed"
OVER_QUOTA = "over_quota"
TIMEOUT = "timeout"
THROTTLED = "throttled"
APPEND_FAILED = "append_failed"
FETCH_FAILED = "fetch_failed"
FOLDER_FAILED = "folder_failed"
CANCELLED = "cancelled"
INTERNAL = "internal"


class ImapError(Exception):
    """Something went wrong talking to a server; ``error_class`` says what kind of thing."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message

    def __str__(self) -> str:
        return f"{self.error_class}: {self.message}"


class CommandError(ImapError):
    """A command got a tagged NO or BAD."""

    def __init__(
        self, error_class: str, command: str, status: str, code: str | None, text: str
    ) -> None:
        shown = f"[{code}] " if code else ""
        super().__init__(error_class, f"{command} failed: {status} {shown}{text}".strip())
        self.command = command
        self.status = status
        self.code = code
        self.text = text


def auth_failed(side: Side) -> str:
    """The auth failure class of a side."""
    return AUTH_FAILED_SOURCE if side == "source" else AUTH_FAILED_TARGET


def classify_append(code: str | None, text: str) -> str:
    """Error class of a refused APPEND (RFC 5530 response codes, then the text)."""
    lowered = text.lower()
    if code == "OVERQUOTA" or "quota" in lowered:
        return OVER_QUOTA
    if code in ("TRYCREATE", "NONEXISTENT"):
        return FOLDER_FAILED
    if code in ("LIMIT", "UNAVAILABLE", "INUSE"):
        return THROTTLED
    return APPEND_FAILED


def classify_os_error(exc: BaseException, where: str) -> ImapError:
    """Map a socket/TLS/timeout exception raised while talking to ``where``."""
    if isinstance(exc, ImapError):
        return exc
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return ImapError(TLS_FAILED, f"TLS with {where} failed: {exc}")
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return ImapError(TIMEOUT, f"{where} did not answer in time")
    if isinstance(exc, asyncio.IncompleteReadError | ConnectionError):
        return ImapError(CONNECTION_FAILED, f"connection to {where} lost: {exc}")
    if isinstance(exc, OSError):
        return ImapError(CONNECTION_FAILED, f"cannot connect to {where}: {exc.strerror or exc}")
    return ImapError(INTERNAL, f"unexpected error with {where}: {exc!r}")
