"""Upload local messages (PST/mbox/eml imports) to a destination: the one uploader.

Same rules as the copier: folders mapped like source folders (automap by name; a localised
inbox name such as ``Posteingang`` means INBOX), identity keys compared as multisets per
destination folder, so a second import of the same file uploads nothing while identical
duplicates are all kept. Messages the server refuses come back in ``rejected`` with their
class (``over_quota``...), ready for a quarantine.
"""

import time
from collections import Counter, deque
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from mailferry_contracts.runs import RunStats
from mailferry_imap.automap import is_inbox_name
from mailferry_imap.client import ImapClient, mailbox_arg
from mailferry_imap.connection import Pending
from mailferry_imap.endpoint import Endpoint
from mailferry_imap.errors import CommandError, ImapError, classify_append
from mailferry_imap.listing import ListEntry, Namespace
from mailferry_imap.local import LocalMessage, local_identity
from mailferry_imap.mapping import MappedFolder, plan_folders
from mailferry_imap.messages import append
from mailferry_imap.options import SyncOptions
from mailferry_imap.protocol import format_internal_date
from mailferry_imap.reports import (
    FolderSyncResult,
    LogCallback,
    Progress,
    ProgressCallback,
    run_stats,
    run_status,
)
from mailferry_imap.scan import scan_destination
from mailferry_imap.session import Discovery, close_all, connect, discover
from mailferry_imap.work import RunStoppedError, Tally

_LOCAL = Namespace(prefix="", delimiter="/")
FILE_UNREADABLE = "file_unreadable"


@dataclass(frozen=True)
class RejectedMessage:
    """A message that did not reach the destination, and why."""

    message: LocalMessage
    destination_folder: str
    error_class: str
    detail: str


@dataclass(frozen=True)
class UploadReport:
    """The outcome of an upload; ``rejected`` lists every refused message."""

    status: Literal["success", "partial", "failed"]
    error_class: str | None = None
    error_message: str = ""
    dry_run: bool = False
    stats: RunStats = field(default_factory=RunStats)
    folders: list[FolderSyncResult] = field(default_factory=list)
    rejected: list[RejectedMessage] = field(default_factory=list)
    duration_seconds: float = 0.0


@dataclass(eq=False)
class _Target:
    folder: MappedFolder
    present: Counter[bytes]
    sources: list[str] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    def result(self) -> FolderSyncResult:
        return self.tally.result(self.folder.destination, self.sources)


async def upload_messages(
    destination: Endpoint,
    messages: AsyncIterable[LocalMessage],
    options: SyncOptions | None = None,
    *,
    total: int | None = None,
    progress: ProgressCallback | None = None,
    log: LogCallback | None = None,
) -> UploadReport:
    """Upload what the destination lacks; ``total`` (if known) feeds progress percentages."""
    options = options or SyncOptions()
    started = time.monotonic()
    try:
        client = await connect(destination, "destination", options.timeout)
    except ImapError as exc:
        return UploadReport(status="failed", error_class=exc.error_class, error_message=exc.message)
    uploader = _Uploader(client, options, total, progress or _quiet, log or _quiet)
    try:
        await uploader.run(messages)
    finally:
        await close_all(client)
    return uploader.report(time.monotonic() - started)


def _quiet(_: object) -> None:
    return None


class _Uploader:
    def __init__(
        self,
        client: ImapClient,
        options: SyncOptions,
        total: int | None,
        progress: ProgressCallback,
        log: LogCallback,
    ) -> None:
        self.client = client
        self.options = options
        self.total = total
        self.progress = progress
        self.log = log
        self.found: Discovery | None = None
        self.targets: dict[str, _Target] = {}
        self.by_folder: dict[str, _Target | None] = {}
        self.window: deque[tuple[LocalMessage, _Target, Pending]] = deque()
        self.rejected: list[RejectedMessage] = []
        self.classes: Counter[str] = Counter()
        self.done = 0
        self.bytes = 0
        self.stop: ImapError | RunStoppedError | None = None
        self.stopping = False

    async def run(self, messages: AsyncIterable[LocalMessage]) -> None:
        try:
            self.found = await discover(self.client)
            async for message in messages:
                await self._one(message)
            while self.window:
                await self._settle(*self.window.popleft())
        except RunStoppedError as exc:
            self.stop = exc
            await self._settle_after_stop()
        except ImapError as exc:
            self.stop = exc

    async def _settle_after_stop(self) -> None:
        """Account for the APPENDs already sent, so every refused message is reported."""
        self.stopping = True
        try:
            while self.window:
                await self._settle(*self.window.popleft())
        except ImapError as exc:
            self.stop = exc

    async def _one(self, message: LocalMessage) -> None:
        target = await self._target(message.folder)
        if target is None:
            return
        target.tally.source_messages += 1
        try:
            key, has_message_id = await local_identity(message)
        except OSError as exc:
            self._reject(message, target, FILE_UNREADABLE, str(exc))
            return
        target.tally.keys[key] += 1
        target.tally.no_message_id += not has_message_id
        if target.present[key] > 0:
            target.present[key] -= 1
            target.tally.skipped += 1
            return
        target.tally.planned += 1
        if not self.options.dry_run:
            await self._send(message, target)

    async def _send(self, message: LocalMessage, target: _Target) -> None:
        date = format_internal_date(message.internal_date) if message.internal_date else None
        mailbox = mailbox_arg(target.folder.destination_raw)
        sent = await append(
            self.client.conn, mailbox, message.flags, date, message.size, message.chunks()
        )
        self.window.append((message, target, sent))
        if len(self.window) >= self.options.append_window:
            await self._settle(*self.window.popleft())

    async def _settle(self, message: LocalMessage, target: _Target, sent: Pending) -> None:
        completion = await sent.future
        if not completion.ok:
            detail = f"{completion.status} [{completion.code or ''}] {completion.text}"
            self._reject(message, target, classify_append(completion.code, completion.text), detail)
            return
        target.tally.transferred += 1
        target.tally.copied_bytes += message.size
        self.done += 1
        self.bytes += message.size
        self._tick(target)

    def _reject(
        self, message: LocalMessage, target: _Target, error_class: str, detail: str
    ) -> None:
        target.tally.errors += 1
        target.tally.classes[error_class] += 1
        target.tally.last_error = detail
        self.rejected.append(
            RejectedMessage(message, target.folder.destination, error_class, detail)
        )
        self.classes[error_class] += 1
        self.done += 1
        self.log(f"{message.ref or message.folder} -> {target.folder.destination}: {detail}")
        self._tick(target)
        if not self.stopping and sum(self.classes.values()) >= self.options.errors_max:
            raise RunStoppedError(f"stopped after {self.options.errors_max} errors")

    def _tick(self, target: _Target) -> None:
        tally = target.tally
        self.progress(
            Progress(
                folder=target.folder.destination,
                folder_done=tally.transferred + tally.errors,
                folder_total=tally.planned,
                done=self.done,
                total=max(self.total or 0, self.done),
                bytes_done=self.bytes,
                bytes_total=0,
            )
        )

    async def _target(self, local_folder: str) -> _Target | None:
        if local_folder not in self.by_folder:
            self.by_folder[local_folder] = await self._open_target(local_folder)
        return self.by_folder[local_folder]

    async def _open_target(self, local_folder: str) -> _Target | None:
        if self.found is None:
            raise RuntimeError("upload started before the destination was listed")
        mapped = map_local(local_folder, self.found, self.options)
        if mapped is None:
            self.log(f"{local_folder}: excluded")
            return None
        target = self.targets.get(mapped.destination_raw)
        if target is None:
            target = await self._prepare(mapped)
            self.targets[mapped.destination_raw] = target
        target.sources.append(local_folder)
        return target

    async def _prepare(self, mapped: MappedFolder) -> _Target:
        raw = mapped.destination_raw
        exists = self.found is not None and self.found.selectable(raw)
        present: Counter[bytes] = Counter()
        target = _Target(mapped, present)
        if exists:
            present.update(m.key for m in await scan_destination(self.client, raw))
        elif not self.options.dry_run:
            await self._create(target)
        self.log(f"{mapped.path} -> {mapped.destination}: {sum(present.values())} already there")
        return target

    async def _create(self, target: _Target) -> None:
        raw = target.folder.destination_raw
        try:
            await self.client.create(raw)
        except CommandError as exc:
            target.tally.errors += 1
            target.tally.classes[exc.error_class] += 1
            raise
        target.tally.created = True
        if self.options.subscribe:
            await self.client.subscribe(raw)

    def report(self, duration: float) -> UploadReport:
        results = [target.result() for target in self.targets.values()]
        stats = run_stats(results)
        error_class, message = _error(self.stop, self.classes, self.rejected)
        status = run_status(error_class, stats)
        return UploadReport(
            status=status,
            error_class=error_class,
            error_message=message,
            dry_run=self.options.dry_run,
            stats=stats,
            folders=results,
            rejected=self.rejected,
            duration_seconds=duration,
        )


def _error(
    stop: ImapError | RunStoppedError | None,
    classes: Counter[str],
    rejected: Sequence[RejectedMessage],
) -> tuple[str | None, str]:
    if isinstance(stop, ImapError):
        return stop.error_class, stop.message
    if not classes:
        return None, ""
    detail = str(stop) if stop is not None else rejected[-1].detail
    return classes.most_common(1)[0][0], detail


def map_local(local_folder: str, found: Discovery, options: SyncOptions) -> MappedFolder | None:
    """Where a local folder goes at the listed destination (None: excluded)."""
    parts = [part for part in local_folder.split("/") if part] or ["INBOX"]
    if is_inbox_name(parts[0]):
        parts[0] = "INBOX"
    name = "/".join(parts)
    entry = ListEntry(raw=name, name=name, delimiter="/", flags=frozenset())
    # The top-level folder is listed too: its role (Sent...) decides where subfolders go, as
    # in a server-to-server copy, so "Sent/2019" follows "Sent" into the destination's Sent.
    top = ListEntry(raw=parts[0], name=parts[0], delimiter="/", flags=frozenset())
    listing = [top, entry] if len(parts) > 1 else [entry]
    plan = plan_folders(listing, _LOCAL, found.entries, found.namespace, options.rules())
    return next((f for f in plan.folders if f.source is entry), None)


async def aiter_messages(messages: Sequence[LocalMessage]) -> AsyncIterable[LocalMessage]:
    """An async iterable over a list (tests, small imports)."""
    for message in messages:
        yield message
