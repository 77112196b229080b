"""What the engine tells the runner: reports (turned into events) and progress."""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mailferry_contracts.common import FolderStat, Quota
from mailferry_contracts.mailboxes import FolderVerification
from mailferry_contracts.runs import RunStats


class _Report(BaseModel):
    model_config = ConfigDict(frozen=True)


class LoginResult(_Report):
    """Whether one side let us in."""

    ok: bool
    error_class: str | None = None
    error_message: str = ""


class FolderMapping(_Report):
    """One line of the folder mapping, for operators."""

    source: str
    destination: str
    how: str


class PreflightReport(_Report):
    """Logins, folders with counts and sizes, destination quota and the folder mapping."""

    ok: bool
    error_class: str | None = None
    error_message: str = ""
    source_login: LoginResult
    destination_login: LoginResult
    source_folders: list[FolderStat] = Field(default_factory=list)
    destination_folders: list[FolderStat] = Field(default_factory=list)
    destination_quota: Quota | None = None
    mapping: list[FolderMapping] = Field(default_factory=list)

    @property
    def source_messages(self) -> int:
        """Messages at the source."""
        return sum(folder.messages for folder in self.source_folders)

    @property
    def source_bytes(self) -> int:
        """Bytes at the source."""
        return sum(folder.bytes for folder in self.source_folders)


class MessageFailure(_Report):
    """A message that could not be copied (or uploaded), and why."""

    source_folder: str
    uid: int | None = None
    destination_folder: str
    size: int = 0
    error_class: str
    detail: str = ""


class FolderSyncResult(_Report):
    """One destination folder after a sync."""

    destination: str
    sources: list[str]
    source_messages: int = 0
    planned: int = 0
    transferred: int = 0
    skipped: int = 0
    errors: int = 0
    bytes: int = 0
    duplicates: int = 0
    no_message_id: int = 0
    flags_updated: int = 0
    created: bool = False
    unchanged: bool = False
    error_class: str | None = None
    error_message: str = ""


class SyncReport(_Report):
    """The outcome of a sync run (initial, delta and final are the same code)."""

    status: Literal["success", "partial", "failed"]
    error_class: str | None = None
    error_message: str = ""
    dry_run: bool = False
    stats: RunStats = Field(default_factory=RunStats)
    folders: list[FolderSyncResult] = Field(default_factory=list)
    failures: list[MessageFailure] = Field(default_factory=list)
    duration_seconds: float = 0.0

    @property
    def planned(self) -> int:
        """Messages that were missing (what a dry run would copy)."""
        return sum(folder.planned for folder in self.folders)


class VerifyReport(_Report):
    """Both sides counted per destination folder through the mapping (merged = summed)."""

    ok: bool
    error_class: str | None = None
    error_message: str = ""
    folders: list[FolderVerification] = Field(default_factory=list)
    source_messages: int = 0
    destination_messages: int = 0
    source_bytes: int = 0
    destination_bytes: int = 0

    @property
    def deficits(self) -> list[FolderVerification]:
        """Destination folders holding fewer messages than their sources."""
        return [f for f in self.folders if f.destination_messages < f.source_messages]

    @property
    def ratio(self) -> float:
        """Destination messages / source messages (1.0 for an empty source)."""
        if not self.source_messages:
            return 1.0
        return self.destination_messages / self.source_messages


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress tick: the folder at work and the run's counters (copied or failed)."""

    folder: str
    folder_done: int
    folder_total: int
    done: int
    total: int
    bytes_done: int
    bytes_total: int


ProgressCallback = Callable[[Progress], None]
LogCallback = Callable[[str], None]


RunOutcome = Literal["success", "partial", "failed"]


def run_stats(results: Sequence[FolderSyncResult]) -> RunStats:
    """A run's counters: the sum of its folders'."""
    return RunStats(
        transferred=sum(r.transferred for r in results),
        skipped=sum(r.skipped for r in results),
        errors=sum(r.errors for r in results),
        folders=len(results),
        bytes=sum(r.bytes for r in results),
        duplicates=sum(r.duplicates for r in results),
        no_message_id=sum(r.no_message_id for r in results),
    )


def run_status(error_class: str | None, stats: RunStats) -> RunOutcome:
    """Success without error; partial when something arrived or was already there; else failed."""
    if error_class is None:
        return "success"
    return "partial" if stats.transferred or stats.skipped else "failed"


def most_frequent(classes: Counter[str]) -> str | None:
    """The run's error class: the most frequent one, as imapsync does."""
    return classes.most_common(1)[0][0] if classes else None


def ignore(_: object) -> None:
    """A progress or log callback that drops everything."""
