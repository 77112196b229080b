"""The two destinations an archive can go to, behind one shape.

``CarbonioTarget`` posts the archive to the destination Carbonio over SSH and counts with
``getAllFolders`` before and after; ``ImapTarget`` uploads the archive's messages with the
shared uploader and counts with LIST-STATUS afterwards. Both judge the import by those counts,
never by the tool's own word (zmmailbox exits 0 with items missing), and both answer the
preflight and verify questions about the destination mailbox.
"""

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

from mailferry_bus.runners import Progress
from mailferry_contracts.common import FolderStat, Quota
from mailferry_contracts.mailboxes import FolderVerification
from mailferry_contracts.runs import RunStats
from mailferry_imap import Progress as UploadProgress
from mailferry_imap import RejectedMessage, UploadReport
from mailferry_runner_tgz.adapters.archive_file import ArchiveFile
from mailferry_runner_tgz.adapters.imap_destination import ImapDestination
from mailferry_runner_tgz.adapters.quarantine_file import QuarantineFile
from mailferry_runner_tgz.adapters.ssh import ZimbraHost
from mailferry_runner_tgz.import_path import PathKind
from mailferry_runner_tgz.inventory import Inventory
from mailferry_runner_tgz.messages import ArchiveMessage, subject_of
from mailferry_runner_tgz.outcome import MailboxOutcome, imap_outcome, zimbra_outcome
from mailferry_runner_tgz.plan import imap_plan
from mailferry_runner_tgz.quarantine import Quarantined, rejected_upload
from mailferry_runner_tgz.repack import copy_intact
from mailferry_runner_tgz.verification import (
    DestinationCount,
    SourceFolder,
    archive_sources,
    found_per_source,
    listed_destinations,
    listed_stats,
    verification,
)

TRANSIENT_UPLOAD = frozenset({"connection_failed", "timeout", "throttled"})
"""An upload that broke off for one of these is retried whole (a rerun skips what arrived)."""


@dataclass(frozen=True)
class Exported:
    """An exported archive ready to import: the file, what it holds, where scratch goes."""

    archive: ArchiveFile
    inventory: Inventory
    size: int
    directory: Path
    quarantine: QuarantineFile


@dataclass(frozen=True)
class Received:
    """How an import ended, judged by counting the destination afterwards."""

    outcome: MailboxOutcome
    stats: RunStats
    verification: list[FolderVerification] = field(default_factory=list)
    interrupted: tuple[str, str] | None = None  # a transient break: (error class, message)


@dataclass(frozen=True)
class Reporting:
    """Where a target reports while it works (the run's log and progress)."""

    log: Callable[[str], None]
    progress: Callable[[Progress], None]


class Target(Protocol):
    """A destination mailbox: survey it, import into it, count it."""

    kind: PathKind
    label: str

    async def survey(self) -> tuple[list[FolderStat], Quota | None]: ...

    async def receive(self, exported: Exported, report: Reporting) -> Received: ...

    async def counts(self, sources: Sequence[SourceFolder]) -> Mapping[str, DestinationCount]: ...


class CarbonioTarget:
    """The account on the destination Carbonio/Zimbra, reached over SSH."""

    kind: PathKind = "carbonio"

    def __init__(self, host: ZimbraHost, account: str) -> None:
        self.host = host
        self.account = account
        self.label = f"{account} on {host.access.target}"

    async def survey(self) -> tuple[list[FolderStat], Quota | None]:
        return listed_stats(await self.host.folder_rows(self.account)), None

    async def counts(self, sources: Sequence[SourceFolder]) -> Mapping[str, DestinationCount]:
        return listed_destinations(await self.host.folder_rows(self.account))

    async def receive(self, exported: Exported, report: Reporting) -> Received:
        inventory = exported.inventory
        before = await self.host.folder_rows(self.account)
        archive, size = await self._importable(exported, report)
        expected = sum(f.contents for f in inventory.folders.values())
        report.progress(Progress(messages_done=0, messages_total=expected, folder="import"))
        await self.host.import_archive(self.account, archive)
        after = listed_destinations(await self.host.folder_rows(self.account))
        outcome = zimbra_outcome(inventory, {d.name: d.messages for d in after.values()})
        report.progress(
            Progress(messages_done=outcome.found, messages_total=expected, folder="import")
        )
        sources = archive_sources(inventory, imap=False)
        stats = _carbonio_stats(outcome, listed_destinations(before), after, size)
        return Received(outcome, stats, verification(sources, after))

    async def _importable(self, exported: Exported, report: Reporting) -> tuple[Path, int]:
        """The export itself, or, when it was cut short, its intact front as a new archive."""
        if exported.inventory.complete:
            return exported.archive.path, exported.size
        intact = exported.directory / "intact.tgz"
        count = await asyncio.to_thread(_repack, exported.archive.path, intact)
        size = intact.stat().st_size
        report.log(
            f"the archive is cut short: importing its {count} whole entries "
            f"({size} bytes, repacked) instead of the cut stream"
        )
        return intact, size


class ImapTarget:
    """The mailbox on the job's IMAP destination, written with the shared uploader."""

    kind: PathKind = "imap"

    def __init__(self, destination: ImapDestination) -> None:
        self.destination = destination
        self.label = destination.label

    async def survey(self) -> tuple[list[FolderStat], Quota | None]:
        found = await self.destination.survey()
        return found.folders, found.quota

    async def counts(self, sources: Sequence[SourceFolder]) -> Mapping[str, DestinationCount]:
        return await self.destination.counts(s.key for s in sources)

    async def receive(self, exported: Exported, report: Reporting) -> Received:
        inventory = exported.inventory
        plan = imap_plan(inventory)
        uploaded = await self.destination.upload(
            exported.archive.messages(),
            total=plan.total,
            progress=lambda tick: report.progress(_upload_progress(tick)),
            log=report.log,
        )
        await _quarantine_rejected(uploaded, exported.quarantine)
        sources = archive_sources(inventory, imap=True)
        counted = await self.destination.counts(p.target for p in plan.folders)
        names = {local: count.name for local, count in counted.items()}
        excluded = sorted(local for local, count in counted.items() if count.excluded)
        if excluded:
            report.log(f"left out by the job's folder options: {', '.join(excluded)}")
        found = found_per_source(sources, counted)
        outcome = imap_outcome(inventory, found, names, excluded)
        stats = _imap_stats(uploaded, outcome)
        return Received(outcome, stats, verification(sources, counted), _interrupted(uploaded))


def _repack(source: Path, target: Path) -> int:
    with source.open("rb") as src, target.open("wb") as dst:
        return copy_intact(src, dst)


def _upload_progress(tick: UploadProgress) -> Progress:
    return Progress(
        messages_done=tick.done,
        messages_total=tick.total,
        folder=tick.folder,
        bytes_done=tick.bytes_done,
    )


async def _quarantine_rejected(report: UploadReport, quarantine: QuarantineFile) -> None:
    for rejected in report.rejected:
        await quarantine.add(partial(_rejected_entry, rejected))


def _rejected_entry(rejected: RejectedMessage, index: int) -> Quarantined:
    message = rejected.message
    raw = message.raw if isinstance(message, ArchiveMessage) else b""
    return rejected_upload(
        raw,
        index,
        folder=rejected.destination_folder,
        subject=subject_of(raw),
        date=message.internal_date,
        error_class=rejected.error_class,
        detail=f"{message.ref}: {rejected.detail}",
    )


def _interrupted(report: UploadReport) -> tuple[str, str] | None:
    if report.status != "success" and report.error_class in TRANSIENT_UPLOAD:
        return report.error_class, report.error_message
    return None


def _imap_stats(report: UploadReport, outcome: MailboxOutcome) -> RunStats:
    return report.stats.model_copy(
        update={
            "errors": sum(f.missing for f in outcome.folders),
            "folders": len(outcome.folders),
        }
    )


def _carbonio_stats(
    outcome: MailboxOutcome,
    before: Mapping[str, DestinationCount],
    after: Mapping[str, DestinationCount],
    size: int,
) -> RunStats:
    added = present = 0
    for folder in outcome.folders:
        key = folder.source.casefold()
        had = before[key].messages if key in before else 0
        has = after[key].messages if key in after else 0
        added += max(0, has - had)
        present += min(has, folder.expected)
    return RunStats(
        transferred=added,
        skipped=max(0, present - added),
        errors=sum(f.missing for f in outcome.folders),
        folders=len(outcome.folders),
        bytes=size,
    )
