"""``sync_mailbox``: copy what the destination lacks (initial, delta and final alike).

Like ``preflight`` and ``verify_mailbox``, it takes two ``Endpoint`` values (secrets as
``SecretStr``) and ``SyncOptions``, never raises for a server-side problem, and returns a
report whose ``error_class`` is one of the shared classes.

A run: log in on both sides, list both (LIST-STATUS where offered), map the folders, skip the
destination folders whose snapshots match the stored state, create missing folders (parents
first), then hand the rest to a ``CopyRun`` with up to ``max_connections`` connection pairs.
"""

import asyncio
import time
from collections.abc import Sequence

from mailferry_imap.client import ImapClient
from mailferry_imap.connection import Trace
from mailferry_imap.copier import CopyRun
from mailferry_imap.endpoint import Endpoint
from mailferry_imap.errors import CommandError, ImapError
from mailferry_imap.listing import MailboxStatus
from mailferry_imap.mapping import FolderPlan
from mailferry_imap.options import SyncOptions
from mailferry_imap.reports import (
    FolderSyncResult,
    LogCallback,
    ProgressCallback,
    SyncReport,
    ignore,
    most_frequent,
    run_stats,
    run_status,
)
from mailferry_imap.session import (
    Discovery,
    close_all,
    connect_both,
    discover,
    first_error,
    plan_between,
)
from mailferry_imap.state import FolderSnapshot, GroupState, SyncState, SyncStateStore, fingerprint
from mailferry_imap.work import GroupJob, RunStoppedError

_MESSAGES_PER_CONNECTION = 500


async def sync_mailbox(
    source: Endpoint,
    destination: Endpoint,
    options: SyncOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
    log: LogCallback | None = None,
    state: SyncStateStore | None = None,
    trace: Trace | None = None,
) -> SyncReport:
    """Copy what the destination lacks: initial, delta and final syncs are all this call.

    ``state`` keeps per-folder snapshots between runs (a no-op delta is then a few STATUS
    calls); ``progress`` gets a tick per message, ``log`` human-readable lines (no secrets, no
    subjects), ``trace`` the IMAP commands sent (credentials redacted).
    """
    options = options or SyncOptions()
    sync = _Sync(source, destination, options, progress or ignore, log or ignore, state, trace)
    return await sync.run()


class _Sync:
    def __init__(
        self,
        source: Endpoint,
        destination: Endpoint,
        options: SyncOptions,
        progress: ProgressCallback,
        log: LogCallback,
        store: SyncStateStore | None,
        trace: Trace | None,
    ) -> None:
        self.source = source
        self.destination = destination
        self.options = options
        self.progress = progress
        self.log = log
        self.store = store
        self.trace = trace
        self.started = time.monotonic()
        self.groups: list[GroupJob] = []
        self.unchanged: list[FolderSyncResult] = []
        self.stop: ImapError | RunStoppedError | None = None

    async def run(self) -> SyncReport:
        src, dst = await connect_both(
            self.source, self.destination, self.options.timeout, self.trace
        )
        try:
            if not isinstance(src, ImapClient) or not isinstance(dst, ImapClient):
                return self._failed(first_error(src, dst) or ImapError("internal", "no client"))
            return await self._run(src, dst)
        except ImapError as exc:
            return self._failed(exc)
        finally:
            await close_all(src, dst)

    def _failed(self, error: ImapError) -> SyncReport:
        return SyncReport(
            status="failed",
            error_class=error.error_class,
            error_message=error.message,
            dry_run=self.options.dry_run,
            duration_seconds=time.monotonic() - self.started,
        )

    async def _run(self, src: ImapClient, dst: ImapClient) -> SyncReport:
        src_found, dst_found = await asyncio.gather(discover(src), discover(dst))
        plan = plan_between(src_found, dst_found, self.options.rules())
        for folder in plan.folders:
            if folder.how != "same":
                self.log(f"{folder.source.name} -> {folder.destination} ({folder.how})")
        state = await self._load_state()
        self._split_groups(plan, src_found, dst_found, state)
        run = CopyRun(
            self.options,
            state,
            None if self.options.dry_run else self.store,
            self.progress,
            self.log,
            dst.status_items(),
        )
        if self.groups:
            await self._copy(run, src, dst)
        return self._report(run)

    async def _load_state(self) -> SyncState:
        src, dst, opts = self.source, self.destination, self.options
        key = fingerprint(
            src.host,
            src.port,
            src.user,
            dst.host,
            dst.port,
            dst.user,
            opts.rules(),
            opts.sync_flags,
        )
        saved = await self.store.load() if self.store is not None and opts.trust_state else None
        return SyncState.from_bytes(saved, key)

    def _split_groups(
        self, plan: FolderPlan, src: Discovery, dst: Discovery, state: SyncState
    ) -> None:
        for key, mapped in plan.groups().items():
            snapshots = tuple(
                FolderSnapshot.of(f.source.raw, src.status.get(f.source.raw)) for f in mapped
            )
            known = tuple(s for s in snapshots if s is not None)
            status = dst.status.get(key)
            job = GroupJob(
                key=key,
                destination=mapped[0].destination,
                sources=mapped,
                exists=dst.selectable(key),
                snapshot=known if len(known) == len(snapshots) else None,
                # An unknown count is taken as "not empty": that only costs an identity scan.
                destination_messages=_count(status),
            )
            target = FolderSnapshot.of(key, status) if job.exists else None
            if self._skippable(state, job, target):
                self.unchanged.append(_unchanged_result(job))
            else:
                self.groups.append(job)

    def _skippable(self, state: SyncState, job: GroupJob, target: FolderSnapshot | None) -> bool:
        if not self.options.trust_state or not job.snapshot or target is None:
            return False
        return state.unchanged(job.key, GroupState(sources=job.snapshot, destination=target))

    async def _copy(self, run: CopyRun, src: ImapClient, dst: ImapClient) -> None:
        workers: list[tuple[ImapClient, ImapClient]] = [(src, dst)]
        try:
            if not self.options.dry_run:
                await self._create_folders(dst, run)
            workers += await self._extra_workers()
            await run.run(workers, [g for g in self.groups if not g.tally.errors])
            self.stop = run.stopped
        except BaseExceptionGroup as group:
            self.stop = _stop_reason(group)
        finally:
            await close_all(*(client for pair in workers[1:] for client in pair))

    async def _create_folders(self, dst: ImapClient, run: CopyRun) -> None:
        for group in self.groups:
            if group.exists:
                continue
            try:
                await dst.create(group.key)
            except CommandError as exc:
                run.record_group_error(group, exc)
                continue
            group.tally.created = True
            self.log(f"created folder {group.destination}")
            if self.options.subscribe:
                await dst.subscribe(group.key)

    async def _extra_workers(self) -> list[tuple[ImapClient, ImapClient]]:
        wanted = self._connections() - 1
        opened = await asyncio.gather(*(self._pair() for _ in range(wanted)))
        pairs = [pair for pair in opened if pair is not None]
        if len(pairs) < wanted:
            self.log(
                f"working with {len(pairs) + 1} connections per server instead of {wanted + 1}"
            )
        return pairs

    def _connections(self) -> int:
        """One per changed folder, or per 500 messages in them, within ``max_connections``."""
        messages = sum(s.messages for group in self.groups for s in group.snapshot or ())
        wanted = max(len(self.groups), messages // _MESSAGES_PER_CONNECTION, 1)
        return min(self.options.max_connections, wanted)

    async def _pair(self) -> tuple[ImapClient, ImapClient] | None:
        src, dst = await connect_both(
            self.source, self.destination, self.options.timeout, self.trace
        )
        if isinstance(src, ImapClient) and isinstance(dst, ImapClient):
            return src, dst
        await close_all(src, dst)
        return None

    def _report(self, run: CopyRun) -> SyncReport:
        results = [group.result() for group in self.groups] + self.unchanged
        stats = run_stats(results)
        error_class, message = self._error(run, results)
        status = run_status(error_class, stats)
        return SyncReport(
            status=status,
            error_class=error_class,
            error_message=message,
            dry_run=self.options.dry_run,
            stats=stats,
            folders=results,
            failures=run.totals.failures,
            duration_seconds=time.monotonic() - self.started,
        )

    def _error(self, run: CopyRun, results: Sequence[FolderSyncResult]) -> tuple[str | None, str]:
        if isinstance(self.stop, ImapError):
            return self.stop.error_class, self.stop.message
        error_class = most_frequent(run.totals.classes)
        if error_class is None:
            return None, ""
        if self.stop is not None:
            return error_class, str(self.stop)
        last = next((r.error_message for r in reversed(results) if r.error_message), "")
        return error_class, last


def _count(status: MailboxStatus | None) -> int:
    return status.messages if status is not None and status.messages is not None else 1


def _unchanged_result(job: GroupJob) -> FolderSyncResult:
    messages = sum(snapshot.messages for snapshot in job.snapshot or ())
    return FolderSyncResult(
        destination=job.destination,
        sources=[folder.source.name for folder in job.sources],
        source_messages=messages,
        skipped=messages,
        unchanged=True,
    )


def _stop_reason(group: BaseExceptionGroup) -> ImapError | RunStoppedError:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            return _stop_reason(exc)
        if isinstance(exc, ImapError | RunStoppedError):
            return exc
    raise group
