"""The native engine (``mailferry_imap``) behind the ``Engine`` seam.

No subprocess and no file: the secrets go to the library as ``SecretStr`` inside this process,
so they can never show in a command line. The per-folder sync state lives in the KV bucket
``migration_sync_state`` (any runner host can run the next delta of a mailbox). A final sync
compares identities in full (``trust_state=False``): the state may skip only what a delta can
afford to skip. Cancelling (shutdown, lost lease) stops the library's task at its next await;
the copies already appended stay, and the next run finds them by identity.
"""

import asyncio
import time
from collections.abc import Awaitable
from typing import TypeVar

from nats.js.kv import KeyValue

from mailferry_contracts.common import RunStatus, SyncMode, Tool
from mailferry_contracts.runs import ImapWork, StartPreflight, StartSync, StartVerify
from mailferry_imap import (
    Endpoint,
    SyncOptions,
    SyncReport,
    preflight,
    sync_mailbox,
    verify_mailbox,
)
from mailferry_imap import PreflightReport as ImapPreflight
from mailferry_imap import Progress as Tick
from mailferry_imap import VerifyReport as ImapVerify
from mailferry_runner_imap.adapters.sync_state import KvSyncStates
from mailferry_runner_imap.engine import (
    Engine,
    EngineIO,
    EngineOutcome,
    PreflightReport,
    Secrets,
    VerifyReport,
)
from mailferry_runner_imap.metering import to_progress

T = TypeVar("T")
CANCELLED = EngineOutcome(RunStatus.FAILED, "cancelled", "the run was stopped")


class NativeEngine:
    """preflight / sync / verify with ``mailferry_imap``."""

    def __init__(self, states: KvSyncStates, max_messages_per_second: float = 0.0) -> None:
        self._states = states
        self._pace = max_messages_per_second

    @property
    def tool(self) -> Tool:
        return Tool.NATIVE

    async def preflight(
        self, work: StartPreflight, secrets: Secrets, io: EngineIO
    ) -> EngineOutcome:
        source, destination = endpoints(work, secrets)
        await io.started(describe(work, "preflight"))
        report = await until_cancelled(
            preflight(source, destination, options_for(work), log=io.log), io.cancel
        )
        return CANCELLED if report is None else preflight_outcome(report)

    async def sync(self, work: StartSync, secrets: Secrets, io: EngineIO) -> EngineOutcome:
        source, destination = endpoints(work, secrets)
        began = time.monotonic()

        def on_tick(tick: Tick) -> None:
            io.progress(to_progress(tick, time.monotonic() - began))

        await io.started(describe(work, f"{work.mode} sync"))
        copy = sync_mailbox(
            source,
            destination,
            options_for(work, self._pace),
            progress=on_tick,
            log=io.log,
            state=self._states.of(work.mailbox_id),
        )
        report = await until_cancelled(copy, io.cancel)
        if report is None:
            return CANCELLED
        log_sync(report, io)
        return sync_outcome(report)

    async def verify(self, work: StartVerify, secrets: Secrets, io: EngineIO) -> EngineOutcome:
        source, destination = endpoints(work, secrets)
        await io.started(describe(work, "verify"))
        report = await until_cancelled(
            verify_mailbox(source, destination, options_for(work), log=io.log), io.cancel
        )
        return CANCELLED if report is None else verify_outcome(report)


def load_native_engine(kv: KeyValue, max_messages_per_second: float = 0.0) -> Engine:
    """The native engine, keeping its sync state in the given KV bucket."""
    return NativeEngine(KvSyncStates(kv), max_messages_per_second)


def endpoints(work: ImapWork, secrets: Secrets) -> tuple[Endpoint, Endpoint]:
    source = Endpoint.of(work.source, work.source_user, secrets.source)
    destination = Endpoint.of(work.destination, work.target_user, secrets.target)
    return source, destination


def options_for(work: ImapWork, max_messages_per_second: float = 0.0) -> SyncOptions:
    options = SyncOptions.from_engine(work.options, {**work.options.folder_map, **work.folder_map})
    update: dict[str, object] = {"max_messages_per_second": max_messages_per_second}
    if isinstance(work, StartSync) and work.mode == SyncMode.FINAL:
        update["trust_state"] = False
    return options.model_copy(update=update)


def describe(work: ImapWork, what: str) -> str:
    """RunStarted's command line for the native engine: what and between whom (no secret)."""
    source, destination = work.source, work.destination
    return (
        f"native {what}: {work.source_user}@{source.host}:{source.port} ({source.security}) -> "
        f"{work.target_user}@{destination.host}:{destination.port} ({destination.security})"
    )


async def until_cancelled(work: Awaitable[T], cancel: asyncio.Event) -> T | None:
    """The result of ``work``, or ``None`` once ``cancel`` is set first (``work`` is stopped)."""
    task = asyncio.ensure_future(work)
    stop = asyncio.ensure_future(cancel.wait())
    try:
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not task.done():
            task.cancel()
            await asyncio.wait({task})  # unlike awaiting it, never swallows our own cancel
    return None if task.cancelled() else task.result()


def preflight_outcome(report: ImapPreflight) -> EngineOutcome:
    return EngineOutcome(
        status=RunStatus.SUCCESS if report.ok else RunStatus.FAILED,
        error_class=report.error_class,
        message=report.error_message,
        preflight=PreflightReport(
            ok=report.ok,
            source_folders=list(report.source_folders),
            destination_folders=list(report.destination_folders),
            destination_quota=report.destination_quota,
        ),
    )


def sync_outcome(report: SyncReport) -> EngineOutcome:
    message = report.error_message
    if report.dry_run:
        message = f"dry run: {report.planned} messages would be copied. {message}".strip()
    return EngineOutcome(
        status=RunStatus(report.status),
        error_class=report.error_class,
        message=message,
        stats=report.stats,
    )


def verify_outcome(report: ImapVerify) -> EngineOutcome:
    if not report.ok:
        return EngineOutcome(RunStatus.FAILED, report.error_class, report.error_message)
    verification = VerifyReport(
        folders=list(report.folders),
        source_bytes=report.source_bytes,
        destination_bytes=report.destination_bytes,
    )
    return EngineOutcome(RunStatus.SUCCESS, verification=verification)


def log_sync(report: SyncReport, io: EngineIO) -> None:
    """The run's closing lines: each failed message, each folder, the totals."""
    for failure in report.failures:
        io.log(
            f"failed: {failure.source_folder}/{failure.uid} -> {failure.destination_folder} "
            f"({failure.size} bytes): {failure.error_class} {failure.detail}".rstrip()
        )
    for folder in report.folders:
        state = "unchanged" if folder.unchanged else f"{folder.transferred} copied"
        io.log(
            f"folder {' + '.join(folder.sources)} -> {folder.destination}: {state}, "
            f"{folder.skipped} already there, {folder.errors} errors"
        )
    stats = report.stats
    io.log(
        f"{report.status}: {stats.transferred} copied ({stats.bytes} bytes), {stats.skipped} "
        f"already there, {stats.errors} errors, {stats.folders} folders in "
        f"{report.duration_seconds:.2f} s"
    )
