"""The engine seam: what an IMAP copy engine (imapsync, or the native one) must provide.

An engine does one thing per command and reports through ``EngineIO``; it never touches the
bus. The service turns its ``EngineOutcome`` into RunFinished and, for preflight and verify,
MailboxPreflighted / MailboxVerified.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mailferry_bus.runners import Progress
from mailferry_contracts.common import FolderStat, Quota, RunStatus, Tool
from mailferry_contracts.mailboxes import FolderVerification
from mailferry_contracts.runs import RunStats, StartPreflight, StartSync, StartVerify


class InvalidInputError(ValueError):
    """The command holds a value an engine refuses (e.g. one that would inject an option)."""


@dataclass(frozen=True)
class Secrets:
    """The two passwords (or tokens) of one run. Never logged: the repr hides them."""

    source: str = field(repr=False)
    target: str = field(repr=False)


@dataclass(frozen=True)
class EngineIO:
    """How an engine reports while it works.

    ``started(command_line)`` must be awaited right before the first server connection (the
    command line without secrets; the native engine passes a short description). ``cancel``
    is set when the run must stop: the engine stops promptly and returns ``cancelled``.
    ``work_dir`` is private to this runner process; engines make their own subdirectories.
    """

    log: Callable[[str], None]
    progress: Callable[[Progress], None]
    started: Callable[[str], Awaitable[None]]
    cancel: asyncio.Event
    work_dir: Path


@dataclass(frozen=True)
class PreflightReport:
    """What a preflight found; ``ok`` means both logins worked and nothing blocks a sync."""

    ok: bool
    source_folders: list[FolderStat] = field(default_factory=list)
    destination_folders: list[FolderStat] = field(default_factory=list)
    destination_quota: Quota | None = None


@dataclass(frozen=True)
class VerifyReport:
    """Counts per destination folder through the folder mapping (merged folders summed)."""

    folders: list[FolderVerification]
    source_bytes: int = 0
    destination_bytes: int = 0

    @property
    def source_messages(self) -> int:
        return sum(f.source_messages for f in self.folders)

    @property
    def destination_messages(self) -> int:
        return sum(f.destination_messages for f in self.folders)


@dataclass(frozen=True)
class EngineOutcome:
    """How one command ended. ``preflight``/``verification`` are set by those commands."""

    status: RunStatus
    error_class: str | None = None
    message: str = ""
    exit_code: int | None = None
    stats: RunStats = field(default_factory=RunStats)
    preflight: PreflightReport | None = None
    verification: VerifyReport | None = None


class Engine(Protocol):
    """An IMAP migration engine. ``tool`` names it in RunStarted/RunFinished."""

    @property
    def tool(self) -> Tool: ...

    async def preflight(
        self, work: StartPreflight, secrets: Secrets, io: EngineIO
    ) -> EngineOutcome: ...

    async def sync(self, work: StartSync, secrets: Secrets, io: EngineIO) -> EngineOutcome: ...

    async def verify(self, work: StartVerify, secrets: Secrets, io: EngineIO) -> EngineOutcome: ...
