"""Runs one ``StartTgzMigration``: a preflight, a migration (export, import, count) or a verify.

Everything a command names is checked before any connection is opened (the Zimbra account,
the source host, the destination account or credential), so a hostile value never reaches
SSH. The export goes into a private 0700 directory of this runner, is hashed into the run log
and removed with the directory when the run ends. Known failures are outcomes with an error
class (``mailferry_runner_tgz.diagnosis``); the runner machinery retries the transient ones.
"""

import logging
from collections.abc import Callable
from pathlib import Path

from nats.js import JetStreamContext

from mailferry_bus.runners import Progress, RunContext, RunOutcome
from mailferry_contracts.common import RunStatus, RunType, Tool
from mailferry_contracts.mailboxes import MailboxEvent, MailboxPreflighted, QuarantineRecorded
from mailferry_contracts.runs import RunStats, StartTgzMigration
from mailferry_imap import Endpoint, ImapError, SyncOptions
from mailferry_runner_tgz.adapters.archive_file import ArchiveFile
from mailferry_runner_tgz.adapters.credentials import (
    DestinationCredentials,
    MissingCredentialError,
)
from mailferry_runner_tgz.adapters.imap_destination import ImapDestination
from mailferry_runner_tgz.adapters.quarantine_file import QuarantineFile, artifact_name
from mailferry_runner_tgz.adapters.ssh import RemoteError, ZimbraHost
from mailferry_runner_tgz.adapters.workdir import run_directory
from mailferry_runner_tgz.inventory import Inventory
from mailferry_runner_tgz.quarantine import MAX_LISTED_ITEMS
from mailferry_runner_tgz.settings import Settings
from mailferry_runner_tgz.stopping import RefusedError, until_cancelled
from mailferry_runner_tgz.targets import (
    CarbonioTarget,
    Exported,
    ImapTarget,
    Received,
    Reporting,
    Target,
)
from mailferry_runner_tgz.verification import (
    lines,
    listed_sources,
    listed_stats,
    mailbox_verified,
    verification,
)
from mailferry_runner_tgz.zmmailbox import (
    InvalidInputError,
    export_argv,
    folders_argv,
    validate_account,
    validate_host,
)

log = logging.getLogger(__name__)

_STATUS = {"ok": RunStatus.SUCCESS, "partial": RunStatus.PARTIAL, "failed": RunStatus.FAILED}


def tool_for(run_type: RunType) -> Tool:
    return Tool.VERIFY if run_type == RunType.VERIFY else Tool.ZMMAILBOX


class TgzRuns:
    """The one place where a Zimbra command meets SSH, the archive and the destination."""

    def __init__(
        self,
        settings: Settings,
        credentials: DestinationCredentials | None,
        js: JetStreamContext,
    ) -> None:
        self._settings = settings
        self._credentials = credentials
        self._js = js

    async def run(self, work: StartTgzMigration, ctx: RunContext) -> RunOutcome:
        tool = tool_for(work.run_type)
        try:
            return await until_cancelled(self._run(work, ctx), ctx.cancel)
        except (RefusedError, RemoteError, ImapError) as exc:
            ctx.log(f"{exc.error_class}: {exc.message}")
            facts = _failure_facts(work, exc.error_class, exc.message)
            return RunOutcome(tool, RunStatus.FAILED, exc.error_class, exc.message, facts=facts)

    async def _run(self, work: StartTgzMigration, ctx: RunContext) -> RunOutcome:
        if work.run_type == RunType.PREFLIGHT:
            return await self._preflight(work, ctx)
        if work.run_type == RunType.VERIFY:
            return await self._verify(work, ctx)
        return await self._migrate(work, ctx)

    async def _preflight(self, work: StartTgzMigration, ctx: RunContext) -> RunOutcome:
        source, account = self._source(work, ctx)
        target = await self._target(work, ctx)
        await ctx.started(Tool.ZMMAILBOX, source.command(folders_argv(account)))
        rows = await source.folder_rows(account)
        folders, quota = await target.survey()
        stats = listed_stats(rows)
        ctx.log(f"source: {len(stats)} mail folders, {sum(s.messages for s in stats)} messages")
        ctx.log(f"destination {target.label}: {len(folders)} folders")
        fact = MailboxPreflighted(
            job_id=work.job_id,
            run_id=work.run_id,
            ok=True,
            source_folders=stats,
            destination_folders=folders,
            destination_quota=quota,
        )
        return RunOutcome(
            Tool.ZMMAILBOX, RunStatus.SUCCESS, stats=RunStats(folders=len(stats)), facts=(fact,)
        )

    async def _verify(self, work: StartTgzMigration, ctx: RunContext) -> RunOutcome:
        source, account = self._source(work, ctx)
        target = await self._target(work, ctx)
        await ctx.started(Tool.VERIFY, source.command(folders_argv(account)))
        sources = listed_sources(await source.folder_rows(account), imap=target.kind == "imap")
        folders = verification(sources, await target.counts(sources))
        for line in lines(folders):
            ctx.log(line)
        fact = mailbox_verified(work.job_id, work.run_id, folders)
        return RunOutcome(
            Tool.VERIFY, RunStatus.SUCCESS, stats=RunStats(folders=len(folders)), facts=(fact,)
        )

    async def _migrate(self, work: StartTgzMigration, ctx: RunContext) -> RunOutcome:
        source, account = self._source(work, ctx)
        target = await self._target(work, ctx)
        async with run_directory(self._settings.work_dir, work.run_id, ctx.attempt) as directory:
            exported = await self._export(source, account, directory, ctx)
            if work.options.dry_run:
                return _dry_run(exported.inventory, target, ctx)
            received = await target.receive(exported, Reporting(ctx.log, ctx.progress))
            for line in received.outcome.lines():
                ctx.log(line)
            facts = await self._facts(work, exported, received, ctx)
        ctx.log("the export and the work directory were removed")
        return _migrated(received, facts)

    async def _export(
        self, source: ZimbraHost, account: str, directory: Path, ctx: RunContext
    ) -> Exported:
        command = source.command(export_argv(account))
        await ctx.started(Tool.ZMMAILBOX, command)
        ctx.log(f"export on {source.access.target}: {command}")

        def progress(received: int) -> None:
            ctx.progress(Progress(messages_done=0, bytes_done=received, folder="export"))

        result = await source.export_mailbox(account, directory / "mailbox.tgz", progress)
        ctx.log(f"exported {result.size} bytes, SHA-256 {result.sha256}")
        archive = ArchiveFile(result.path)
        quarantine = QuarantineFile(directory / "quarantine.mbox")
        inventory = await archive.scan(quarantine.refused)
        for line in inventory_lines(inventory):
            ctx.log(line)
        if inventory.unreadable is not None:
            where = source.access.target.host
            raise RefusedError(
                "file_unreadable", f"the export from {where}: {inventory.unreadable}"
            )
        return Exported(archive, inventory, result.size, directory, quarantine)

    async def _facts(
        self, work: StartTgzMigration, exported: Exported, received: Received, ctx: RunContext
    ) -> tuple[MailboxEvent, ...]:
        facts: list[MailboxEvent] = []
        if exported.inventory.complete:
            expected = exported.inventory.messages
            facts.append(
                mailbox_verified(work.job_id, work.run_id, received.verification, expected)
            )
        else:
            ctx.log("no verification from this run: the archive is incomplete (run a verify)")
        quarantine = exported.quarantine
        if quarantine.count:
            name = artifact_name(work.mailbox_id, work.run_id)
            await quarantine.store(self._js, name)
            ctx.log(f"quarantine: {quarantine.count} messages kept in {name}")
            facts.append(
                QuarantineRecorded(
                    job_id=work.job_id,
                    run_id=work.run_id,
                    artifact=name,
                    count=quarantine.count,
                    items=quarantine.items[:MAX_LISTED_ITEMS],
                )
            )
        return tuple(facts)

    def _source(self, work: StartTgzMigration, ctx: RunContext) -> tuple[ZimbraHost, str]:
        account = _checked(validate_account, work.source_user)
        if work.source is None:
            raise RefusedError(
                "invalid_input",
                "the job names no source server: runner-tgz exports from the job's source host",
            )
        host = _checked(validate_host, work.source.host)
        access = self._settings.zimbra_access(host)
        if access is None:
            raise RefusedError(
                "tool_missing",
                "this runner has no SSH key for Zimbra hosts: set MIGRATION_ZIMBRA_SSH_KEY_FILE "
                "and MIGRATION_ZIMBRA_SSH_KNOWN_HOSTS_FILE (or MIGRATION_SSH_KEY_FILE and "
                "MIGRATION_SSH_KNOWN_HOSTS_FILE)",
            )
        return ZimbraHost(access, "source", _prefixed(ctx.log, host)), account

    async def _target(self, work: StartTgzMigration, ctx: RunContext) -> Target:
        path = self._settings.import_path(work.destination)
        ctx.log(f"import path: {path.kind}: {path.reason}")
        log.info("run %s: import path %s: %s", work.run_id, path.kind, path.reason)
        carbonio = self._settings.carbonio_access()
        if path.kind == "carbonio" and carbonio is not None:
            if _has_folder_rules(work):
                ctx.log(
                    "folder maps, includes and excludes apply to IMAP uploads only: "
                    "postRestURL imports every folder under its own path"
                )
            account = _checked(validate_account, work.target_user)
            host = ZimbraHost(carbonio, "target", _prefixed(ctx.log, carbonio.target.host))
            return CarbonioTarget(host, account)
        if not work.target_user:
            raise RefusedError("invalid_input", "the mailbox has no destination login")
        if self._credentials is None:  # MIGRATION_TGZ_IMPORT=carbonio opens no vault
            raise RefusedError("internal", "an IMAP upload was chosen but no vault is open")
        try:
            secret = await self._credentials.secret_for(work)
        except MissingCredentialError as exc:
            raise RefusedError("invalid_input", str(exc)) from exc
        ctx.add_secrets(secret)
        endpoint = Endpoint.of(work.destination, work.target_user, secret)
        options = SyncOptions.from_engine(work.options, work.folder_map).model_copy(
            update={"max_connections": self._settings.imap_connections}
        )
        return ImapTarget(ImapDestination(endpoint, options))


def inventory_lines(inventory: Inventory) -> list[str]:
    """What the archive holds, for the run log."""
    mail = [f for f in inventory.folders.values() if f.messages]
    out = [
        f"archive: {inventory.entries} entries, {inventory.messages} messages "
        f"in {len(mail)} folders"
    ]
    not_mail = inventory.not_mail()
    if not_mail:
        held = ", ".join(f"{n} {label}" for label, n in sorted(not_mail.items()))
        out.append(f"not mail: {held}")
    if inventory.stopped is not None:
        out.append(inventory.stopped)
    return out


def _dry_run(inventory: Inventory, target: Target, ctx: RunContext) -> RunOutcome:
    mail = [f for f in inventory.folders.values() if f.messages]
    ctx.log(
        f"dry run: {inventory.messages} messages in {len(mail)} folders would go to "
        f"{target.label}; nothing was imported"
    )
    return RunOutcome(Tool.ZMMAILBOX, RunStatus.SUCCESS, stats=RunStats(folders=len(mail)))


def _has_folder_rules(work: StartTgzMigration) -> bool:
    options = work.options
    return bool(work.folder_map or options.include_folders or options.exclude_folders)


def _migrated(received: Received, facts: tuple[MailboxEvent, ...]) -> RunOutcome:
    if received.interrupted is not None:
        error_class, message = received.interrupted
        return RunOutcome(
            Tool.ZMMAILBOX, RunStatus.FAILED, error_class, message, stats=received.stats
        )
    outcome = received.outcome
    status = _STATUS[outcome.status]
    message = outcome.message if status != RunStatus.SUCCESS else ""
    return RunOutcome(
        Tool.ZMMAILBOX, status, outcome.error_class, message, stats=received.stats, facts=facts
    )


def _failure_facts(
    work: StartTgzMigration, error_class: str, message: str
) -> tuple[MailboxEvent, ...]:
    if work.run_type != RunType.PREFLIGHT:
        return ()
    failed = MailboxPreflighted(
        job_id=work.job_id,
        run_id=work.run_id,
        ok=False,
        error_class=error_class,
        error_message=message,
    )
    return (failed,)


def _checked(validate: Callable[[str], str], value: str) -> str:
    try:
        return validate(value)
    except InvalidInputError as exc:
        raise RefusedError("invalid_input", str(exc)) from None


def _prefixed(write: Callable[[str], None], host: str) -> Callable[[str], None]:
    return lambda line: write(f"[{host}] {line}")
