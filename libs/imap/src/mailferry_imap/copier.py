"""The copy run: scan the folders that changed, then stream what is missing, FETCH -> APPEND.

Work goes through one queue shared by up to ``max_connections`` workers, each holding one
source and one destination connection. A *group* (a destination folder and its sources) is
scanned first; its missing messages then become batches (one FETCH each). A worker streams a
batch's bodies straight into pipelined APPENDs on its destination connection, so memory holds
at most a few chunks per connection whatever the message sizes.

A message the destination refuses is an error of its class (``over_quota``...). When
``errors_max`` is reached the run winds down: workers take no new work and fetch no new
bodies, but settle the APPENDs already sent, so the report counts every message that did
arrive. A lost connection or a timeout stops the run at once. A group that ended without errors
records its sync state, so the next run can skip it.
"""

import asyncio
from collections import Counter, deque
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field

from mailferry_imap.client import ImapClient, mailbox_arg
from mailferry_imap.connection import Pending
from mailferry_imap.diff import GroupDiff, SourceMessage, diff_group
from mailferry_imap.errors import FETCH_FAILED, CommandError, classify_append
from mailferry_imap.identity import IdentityBuilder
from mailferry_imap.messages import FetchedBody, append, fetch_bodies
from mailferry_imap.options import SyncOptions
from mailferry_imap.pace import Pace
from mailferry_imap.reports import (
    LogCallback,
    MessageFailure,
    Progress,
    ProgressCallback,
)
from mailferry_imap.scan import scan_destination, scan_source, store_flags
from mailferry_imap.state import FolderSnapshot, GroupState, SyncState, SyncStateStore
from mailferry_imap.work import Batch, GroupJob, RunStoppedError, split_batches


@dataclass
class _Totals:
    done: int = 0
    total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    failures: list[MessageFailure] = field(default_factory=list)


class CopyRun:
    """One sync run's shared work queue, counters and state."""

    def __init__(
        self,
        options: SyncOptions,
        state: SyncState,
        store: SyncStateStore | None,
        progress: ProgressCallback,
        log: LogCallback,
        status_items: Sequence[str],
    ) -> None:
        self.options = options
        self.state = state
        self.store = store
        self.progress = progress
        self.log = log
        self.status_items = status_items
        self.totals = _Totals()
        self.stopped: RunStoppedError | None = None
        self._queue: asyncio.Queue[GroupJob | Batch | None] = asyncio.Queue()
        self._save_lock = asyncio.Lock()
        self._pace = Pace(options.max_messages_per_second)

    async def run(
        self, workers: Sequence[tuple[ImapClient, ImapClient]], groups: Sequence[GroupJob]
    ) -> None:
        """Process every group with the given connection pairs; raises on a fatal error."""
        for group in groups:
            self._queue.put_nowait(group)
        async with asyncio.TaskGroup() as tasks:
            for source, destination in workers:
                tasks.create_task(self._worker(source, destination))
            tasks.create_task(self._stop_when_done(len(workers)))

    async def _stop_when_done(self, workers: int) -> None:
        await self._queue.join()
        for _ in range(workers):
            self._queue.put_nowait(None)

    async def _worker(self, source: ImapClient, destination: ImapClient) -> None:
        while (job := await self._queue.get()) is not None:
            try:
                if self.stopped is not None:
                    continue
                if isinstance(job, GroupJob):
                    await self._scan(source, destination, job)
                else:
                    await self._copy(source, destination, job)
            finally:
                self._queue.task_done()

    # ------------------------------------------------------------ scanning

    async def _scan(self, source: ImapClient, destination: ImapClient, group: GroupJob) -> None:
        try:
            diff, found = await self._compare(source, destination, group)
        except CommandError as exc:
            self.record_group_error(group, exc)
            return
        self._count_scan(group, found, diff)
        if self.options.dry_run:
            return
        try:
            group.tally.flags_updated = await store_flags(destination, group.key, diff.flag_updates)
        except CommandError as exc:
            self.record_group_error(group, exc)
            return
        batches = split_batches(
            group, diff.to_copy, self.options.batch_messages, self.options.batch_bytes
        )
        group.remaining = len(batches)
        for batch in batches:
            self._queue.put_nowait(batch)
        if not batches:
            await self._group_finished(destination, group)

    async def _compare(
        self, source: ImapClient, destination: ImapClient, group: GroupJob
    ) -> tuple[GroupDiff, list[SourceMessage]]:
        identify = not group.blind
        found = [
            message
            for folder in group.sources
            for message in await scan_source(source, folder.source.raw, identify=identify)
        ]
        if group.blind:
            return GroupDiff(to_copy=list(found)), found
        present = await scan_destination(destination, group.key)
        return diff_group(found, present, sync_flags=self.options.sync_flags), found

    def _count_scan(self, group: GroupJob, found: list[SourceMessage], diff: GroupDiff) -> None:
        tally = group.tally
        tally.source_messages = len(found)
        tally.planned = len(diff.to_copy)
        tally.skipped = diff.present
        tally.duplicates = diff.duplicates
        tally.no_message_id = diff.no_message_id
        self.totals.total += len(diff.to_copy)
        self.totals.bytes_total += sum(message.size for message in diff.to_copy)
        sources = " + ".join(folder.source.name for folder in group.sources)
        verb = "would copy" if self.options.dry_run else "to copy"
        self.log(
            f"{sources} -> {group.destination}: {len(found)} at source, {diff.present} present, "
            f"{len(diff.to_copy)} {verb}, {len(diff.flag_updates)} flag updates"
        )

    def record_group_error(self, group: GroupJob, exc: CommandError) -> None:
        """A folder-level failure (SELECT, CREATE...): one error for the group."""
        group.tally.errors += 1
        group.tally.classes[exc.error_class] += 1
        group.tally.last_error = exc.message
        self.log(f"{group.destination}: {exc.error_class}: {exc.message}")
        self._count_error(exc.error_class)

    # ------------------------------------------------------------ copying

    async def _copy(self, source: ImapClient, destination: ImapClient, batch: Batch) -> None:
        try:
            await source.select(batch.source_raw)
        except CommandError as exc:
            for message in batch.messages:
                self._fail(batch, message, exc.error_class, exc.message)
            await self._batch_done(destination, batch)
            return
        left = {message.uid: message for message in batch.messages}
        error = await self._stream(source, destination, batch, left)
        if self.stopped is not None:
            return
        for message in left.values():
            if error is not None:
                self._fail(batch, message, FETCH_FAILED, error.message)
            else:
                self.log(f"{batch.source_name} UID {message.uid}: gone from the source, skipped")
        await self._batch_done(destination, batch)

    async def _stream(
        self,
        source: ImapClient,
        destination: ImapClient,
        batch: Batch,
        left: dict[int, SourceMessage],
    ) -> CommandError | None:
        window: deque[tuple[SourceMessage, int, Pending]] = deque()
        mailbox = mailbox_arg(batch.group.key)
        error: CommandError | None = None
        try:
            async with aclosing(fetch_bodies(source.conn, sorted(left))) as bodies:
                async for body in bodies:
                    message = left.pop(body.uid, None)
                    if message is None:
                        continue
                    date = b'"' + message.internal_date.encode("ascii") + b'"'
                    data = self._payload(batch.group, body)
                    await self._pace.next()
                    sent = await append(
                        destination.conn, mailbox, message.flags, date, body.size, data
                    )
                    window.append((message, body.size, sent))
                    if len(window) >= self.options.append_window:
                        await self._settle(batch, *window.popleft())
                    if self.stopped is not None:
                        break
        except CommandError as exc:
            error = exc
        while window:
            await self._settle(batch, *window.popleft())
        return error

    def _payload(self, group: GroupJob, body: FetchedBody) -> bytes | AsyncIterable[bytes]:
        """The body to APPEND; for blind copies its identity key is counted on the way."""
        if not group.blind:
            return body.literal().data
        builder = IdentityBuilder()
        if body.data is not None:
            builder.feed(body.data)
            self._count_key(group, builder)
            return body.data
        return self._tap(group, body, builder)

    async def _tap(
        self, group: GroupJob, body: FetchedBody, builder: IdentityBuilder
    ) -> AsyncIterator[bytes]:
        async for chunk in body.literal().chunks():
            if not builder.complete:
                builder.feed(chunk)
            yield chunk
        self._count_key(group, builder)

    def _count_key(self, group: GroupJob, builder: IdentityBuilder) -> None:
        key, has_message_id = builder.result()
        group.tally.keys[key] += 1
        group.tally.no_message_id += not has_message_id

    async def _settle(self, batch: Batch, message: SourceMessage, size: int, sent: Pending) -> None:
        completion = await sent.future
        if not completion.ok:
            detail = f"{completion.status} [{completion.code or ''}] {completion.text}"
            self._fail(batch, message, classify_append(completion.code, completion.text), detail)
            return
        tally = batch.group.tally
        tally.transferred += 1
        tally.copied_bytes += size
        self.totals.done += 1
        self.totals.bytes_done += size
        self._tick(batch.group)

    def _fail(self, batch: Batch, message: SourceMessage, error_class: str, detail: str) -> None:
        tally = batch.group.tally
        tally.errors += 1
        tally.classes[error_class] += 1
        tally.last_error = detail
        self.totals.done += 1
        failure = MessageFailure(
            source_folder=batch.source_name,
            uid=message.uid,
            destination_folder=batch.group.destination,
            size=message.size,
            error_class=error_class,
            detail=detail,
        )
        if len(self.totals.failures) < self.options.errors_max:
            self.totals.failures.append(failure)
        self.log(f"{batch.source_name} UID {message.uid} -> {batch.group.destination}: {detail}")
        self._tick(batch.group)
        self._count_error(error_class)

    def _count_error(self, error_class: str) -> None:
        self.totals.classes[error_class] += 1
        reached = sum(self.totals.classes.values()) >= self.options.errors_max
        if reached and self.stopped is None:
            self.stopped = RunStoppedError(f"stopped after {self.options.errors_max} errors")
            self.log(str(self.stopped))

    def _tick(self, group: GroupJob) -> None:
        tally = group.tally
        totals = self.totals
        self.progress(
            Progress(
                folder=group.destination,
                folder_done=tally.transferred + tally.errors,
                folder_total=tally.planned,
                done=totals.done,
                total=totals.total,
                bytes_done=totals.bytes_done,
                bytes_total=totals.bytes_total,
            )
        )

    # ------------------------------------------------------------ finishing

    async def _batch_done(self, destination: ImapClient, batch: Batch) -> None:
        batch.group.remaining -= 1
        if batch.group.remaining == 0:
            await self._group_finished(destination, batch.group)

    async def _group_finished(self, destination: ImapClient, group: GroupJob) -> None:
        if self.options.dry_run or group.tally.errors or group.snapshot is None:
            return
        try:
            status = await destination.status([group.key], self.status_items)
        except CommandError:
            return
        snapshot = FolderSnapshot.of(group.key, status.get(group.key))
        if snapshot is None:
            return
        self.state.groups[group.key] = GroupState(sources=group.snapshot, destination=snapshot)
        if self.store is not None:
            async with self._save_lock:
                await self.store.save(self.state.to_bytes())
