"""Runs one import or verify command: open the secret, fetch the upload, read it, hand over."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from mailferry_bus import Bus
from mailferry_bus.runners import Progress, RunContext, RunOutcome
from mailferry_contracts.common import RunStatus, RunType, Tool
from mailferry_contracts.runs import StartUploadImport
from mailferry_imap import Endpoint, SyncOptions
from mailferry_runner_pst.adapters.credentials import MissingCredentialError, VaultCredentials
from mailferry_runner_pst.adapters.objects import (
    Artifacts,
    UploadCorruptError,
    UploadUnavailableError,
    fetch_upload,
)
from mailferry_runner_pst.adapters.workspace import private_dir
from mailferry_runner_pst.attempt import ImportAttempt, Target, tool_of
from mailferry_runner_pst.commands import NO_UPLOAD
from mailferry_runner_pst.folders import folder_filter
from mailferry_runner_pst.outcome import ExtractionOutcome
from mailferry_runner_pst.sources import (
    Prepared,
    PstHooks,
    Readpst,
    SourceOptions,
    prepare_eml_zip,
    prepare_mbox,
    prepare_pst,
)

UPLOAD_FILE = "upload"
"""The fetched upload's name in the run directory; the client's file name is never a path."""


@dataclass(frozen=True)
class ImportSettings:
    """What every import of this process shares."""

    work_root: Path
    readpst: Readpst | None
    max_message_bytes: int
    imap_connections: int
    imap_timeout_s: float


class UploadImports:
    """The one place where an import command meets the file, the vault and the destination."""

    def __init__(self, bus: Bus, credentials: VaultCredentials, settings: ImportSettings) -> None:
        self._bus = bus
        self._credentials = credentials
        self._settings = settings

    async def run(self, work: StartUploadImport, ctx: RunContext) -> RunOutcome:
        tool = tool_of(work)
        if work.upload_id == NO_UPLOAD:
            return failed(tool, "invalid_input", no_upload_message(work))
        if work.kind == "pst" and self._settings.readpst is None:
            return failed(tool, "tool_missing", "readpst (Debian pst-utils) is not installed")
        try:
            secret = await self._credentials.target_secret(work)
        except MissingCredentialError as exc:
            return failed(tool, "invalid_input", str(exc))
        ctx.add_secrets(secret)
        endpoint = Endpoint.of(work.destination, work.target_user, secret)
        target = Target(endpoint, self._options(work))
        return await until_cancelled(self._attempt(work, ctx, target), ctx, tool)

    async def _attempt(
        self, work: StartUploadImport, ctx: RunContext, target: Target
    ) -> RunOutcome:
        async with private_dir(self._settings.work_root) as work_dir:
            path = work_dir / UPLOAD_FILE
            try:
                size = await fetch_upload(self._bus.js, work.object_name, work.sha256, path)
            except (UploadUnavailableError, UploadCorruptError) as exc:
                return failed(tool_of(work), exc.error_class, str(exc))
            ctx.log(f"upload {work.upload_id}: {work.kind}, {size} bytes, SHA-256 checked")
            if work.run_type == RunType.VERIFY:
                await ctx.started(Tool.VERIFY)
            prepared = await self._prepare(work, ctx, work_dir, path)
            if isinstance(prepared, ExtractionOutcome):
                return failed(tool_of(work), prepared.error_class, "; ".join(prepared.lines()))
            attempt = ImportAttempt(work, ctx, target, Artifacts(self._bus.js, work_dir))
            if work.run_type == RunType.VERIFY:
                return await attempt.verify(prepared)
            return await attempt.upload(prepared)

    async def _prepare(
        self, work: StartUploadImport, ctx: RunContext, work_dir: Path, path: Path
    ) -> Prepared | ExtractionOutcome:
        options = self._source_options(work)
        if work.kind == "mbox":
            return prepare_mbox(path, options)
        if work.kind == "eml_zip":
            return prepare_eml_zip(path, options)
        assert self._settings.readpst is not None  # noqa: S101 - checked in run()
        hooks = PstHooks(ctx.log, partial(ctx.started, Tool.READPST), _folder_progress(ctx))
        return await prepare_pst(path, work_dir, self._settings.readpst, options, hooks)

    def _source_options(self, work: StartUploadImport) -> SourceOptions:
        return SourceOptions(
            folder_map=work.folder_map,
            include_deleted=work.options.include_deleted,
            wanted=folder_filter(work.options.exclude_folders, work.options.include_folders),
            max_message_bytes=self._settings.max_message_bytes,
        )

    def _options(self, work: StartUploadImport) -> SyncOptions:
        # Folders are mapped (job/mailbox map, localised names) and filtered on the file side
        # already; the uploader only resolves roles to the destination's own folders.
        return SyncOptions(
            errors_max=work.options.errors_max,
            dry_run=work.options.dry_run,
            max_connections=self._settings.imap_connections,
            timeout=self._settings.imap_timeout_s,
        )


def failed(tool: Tool, error_class: str | None, message: str) -> RunOutcome:
    """A run that ends before (or instead of) uploading."""
    return RunOutcome(tool, RunStatus.FAILED, error_class or "internal", message)


def no_upload_message(work: StartUploadImport) -> str:
    """Why a mailbox without an upload cannot be imported, naming it."""
    return (
        f"mailbox {work.mailbox_id} (destination user {work.target_user}) has no uploaded "
        f"{work.kind} file: upload one for it, then run the import again"
    )


def _folder_progress(ctx: RunContext) -> Callable[[str], None]:
    def folder(name: str) -> None:
        ctx.progress(Progress(messages_done=0, folder=name))

    return folder


async def until_cancelled(work: Awaitable[RunOutcome], ctx: RunContext, tool: Tool) -> RunOutcome:
    """Run ``work`` unless the attempt is abandoned (shutdown, lost lease) first."""
    task = asyncio.ensure_future(work)
    cancelled = asyncio.ensure_future(ctx.cancel.wait())
    await asyncio.wait({task, cancelled}, return_when=asyncio.FIRST_COMPLETED)
    cancelled.cancel()
    if task.done():
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return failed(tool, "cancelled", ctx.abandon_reason or "the attempt was abandoned")
