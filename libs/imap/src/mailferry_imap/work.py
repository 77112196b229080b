"""The units of a copy run: folder tallies, groups (a folder and its sources), batches."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from mailferry_imap.diff import SourceMessage
from mailferry_imap.mapping import MappedFolder
from mailferry_imap.reports import FolderSyncResult, most_frequent
from mailferry_imap.state import FolderSnapshot


class RunStoppedError(Exception):
    """The run met ``errors_max`` errors and stopped."""


@dataclass
class Tally:
    """Counters of one destination folder."""

    source_messages: int = 0
    planned: int = 0
    transferred: int = 0
    skipped: int = 0
    errors: int = 0
    copied_bytes: int = 0
    duplicates: int = 0
    no_message_id: int = 0
    flags_updated: int = 0
    created: bool = False
    classes: Counter[str] = field(default_factory=Counter)
    last_error: str = ""
    keys: Counter[bytes] = field(default_factory=Counter)

    @property
    def all_duplicates(self) -> int:
        """Duplicates found by a scan plus those counted from ``keys`` on the way."""
        return self.duplicates + sum(count - 1 for count in self.keys.values() if count > 1)

    def result(self, destination: str, sources: list[str]) -> FolderSyncResult:
        """A destination folder's line in a report."""
        return FolderSyncResult(
            destination=destination,
            sources=sources,
            source_messages=self.source_messages,
            planned=self.planned,
            transferred=self.transferred,
            skipped=self.skipped,
            errors=self.errors,
            bytes=self.copied_bytes,
            duplicates=self.all_duplicates,
            no_message_id=self.no_message_id,
            flags_updated=self.flags_updated,
            created=self.created,
            error_class=most_frequent(self.classes),
            error_message=self.last_error,
        )


@dataclass(eq=False)
class GroupJob:
    """A destination folder to bring up to date, and its source folders."""

    key: str
    destination: str
    sources: list[MappedFolder]
    exists: bool
    snapshot: tuple[FolderSnapshot, ...] | None
    destination_messages: int = 0
    tally: Tally = field(default_factory=Tally)
    remaining: int = 0

    @property
    def blind(self) -> bool:
        """The destination folder is empty: everything is missing, no identity scan needed.

        Keys are then computed from the bodies as they stream by, for the duplicate and
        no-Message-ID counts.
        """
        return not self.exists or self.destination_messages == 0

    def result(self) -> FolderSyncResult:
        """The group's line in the report."""
        return self.tally.result(self.destination, [f.source.name for f in self.sources])


@dataclass(frozen=True)
class Batch:
    """Messages of one source folder fetched with one command."""

    group: GroupJob
    source_raw: str
    source_name: str
    messages: list[SourceMessage]


def split_batches(
    group: GroupJob, messages: Sequence[SourceMessage], max_messages: int, max_bytes: int
) -> list[Batch]:
    """Cut the missing messages into FETCH-sized batches, one source folder each."""
    names = {folder.source.raw: folder.source.name for folder in group.sources}
    batches: list[Batch] = []
    current: list[SourceMessage] = []
    size = 0
    for message in messages:
        full = len(current) >= max_messages or size + message.size > max_bytes
        if current and (full or message.folder != current[0].folder):
            batches.append(Batch(group, current[0].folder, names[current[0].folder], current))
            current, size = [], 0
        current.append(message)
        size += message.size
    if current:
        batches.append(Batch(group, current[0].folder, names[current[0].folder], current))
    return batches
