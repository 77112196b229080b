"""One attempt's upload or verification, once the file has been read.

Import: upload what the destination lacks, keep what it refused (and what could not be read)
in the run's quarantine mbox, keep calendar/contact items for download, count the destination
per folder through the mapping, judge. Verify: count only.
"""

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass

from mailferry_bus.runners import RunContext, RunOutcome
from mailferry_contracts import subjects
from mailferry_contracts.common import Tool
from mailferry_contracts.mailboxes import MailboxEvent
from mailferry_contracts.runs import RunStats, StartUploadImport
from mailferry_imap import (
    Endpoint,
    SyncOptions,
    UploadReport,
    VerifyReport,
    upload_messages,
    verify_upload,
)
from mailferry_imap import Progress as UploadProgress
from mailferry_runner_pst.adapters.objects import Artifacts
from mailferry_runner_pst.adapters.run_files import write_items, write_quarantine
from mailferry_runner_pst.comparison import quantity
from mailferry_runner_pst.counts import OUTPUT_OF, ItemKind
from mailferry_runner_pst.delivery import for_upload, refused
from mailferry_runner_pst.facts import mailbox_verified, quarantine_recorded
from mailferry_runner_pst.progress import run_progress
from mailferry_runner_pst.quarantine import QuarantineEntry
from mailferry_runner_pst.sources import Prepared
from mailferry_runner_pst.verdict import ImportFindings, Verdict, judge_import, judge_verification
from mailferry_runner_pst.verification import folder_lines, with_source_names

_OUT = [
    (kind, OUTPUT_OF[kind]) for kind in (ItemKind.APPOINTMENT, ItemKind.CONTACT, ItemKind.JOURNAL)
]


def tool_of(work: StartUploadImport) -> Tool:
    """The tool a run reports: readpst for PST imports, the uploader for mbox/eml, verify."""
    if work.run_type == "verify":
        return Tool.VERIFY
    return Tool.READPST if work.kind == "pst" else Tool.UPLOADER


@dataclass(frozen=True)
class Target:
    """Where the messages go and how."""

    endpoint: Endpoint
    options: SyncOptions


class ImportAttempt:
    """The destination side of one attempt."""

    def __init__(
        self, work: StartUploadImport, ctx: RunContext, target: Target, artifacts: Artifacts
    ) -> None:
        self.work = work
        self.ctx = ctx
        self.target = target
        self.artifacts = artifacts

    async def upload(self, prepared: Prepared) -> RunOutcome:
        await self.ctx.started(tool_of(self.work))
        report = await self._send(prepared)
        quarantine = prepared.quarantine + [await refused(r) for r in report.rejected]
        facts: list[MailboxEvent] = []
        if quarantine:
            facts.append(await self._quarantine(quarantine))
        notes = [*prepared.notes, *await self._items(prepared)]
        verification = None
        if not report.dry_run and report.status != "failed":
            verification = await self._count(prepared)
            if verification.ok:
                facts.append(mailbox_verified(self.work, verification, _expected(prepared)))
        findings = ImportFindings(prepared.extraction, report, quarantine, verification, notes)
        return self._outcome(judge_import(findings), report.stats, facts)

    async def verify(self, prepared: Prepared) -> RunOutcome:
        await self.ctx.started(Tool.VERIFY)
        await asyncio.to_thread(_drain, prepared.messages)
        report = await self._count(prepared)
        facts: list[MailboxEvent] = []
        if report.ok:
            facts.append(mailbox_verified(self.work, report, _expected(prepared)))
        return self._outcome(judge_verification(report, prepared.extraction), RunStats(), facts)

    async def _send(self, prepared: Prepared) -> UploadReport:
        started = time.monotonic()

        def tick(update: UploadProgress) -> None:
            self.ctx.progress(run_progress(update, time.monotonic() - started))

        return await upload_messages(
            self.target.endpoint,
            for_upload(prepared.messages),
            self.target.options,
            total=prepared.total,
            progress=tick,
            log=self.ctx.log,
        )

    async def _count(self, prepared: Prepared) -> VerifyReport:
        counts = {folder: e.messages for folder, e in prepared.expectations.items()}
        report = await verify_upload(self.target.endpoint, counts, self.target.options)
        if not report.ok:
            return report
        report = with_source_names(report, prepared.expectations)
        for line in folder_lines(report.folders):
            self.ctx.log(line)
        return report

    async def _quarantine(self, entries: list[QuarantineEntry]) -> MailboxEvent:
        path = self.artifacts.work_dir / subjects.QUARANTINE_ARTIFACT
        await asyncio.to_thread(write_quarantine, entries, path)
        name = await self.artifacts.store(self.work, path, f"quarantine of run {self.work.run_id}")
        self.ctx.log(f"{len(entries)} messages in quarantine: {name}")
        return quarantine_recorded(self.work, name, entries)

    async def _items(self, prepared: Prepared) -> list[str]:
        comparison = prepared.extraction.comparison if prepared.extraction else None
        if prepared.readpst_output is None or comparison is None:
            return []
        counts = [(k, sum(f.extracted.get(o, 0) for f in comparison.folders)) for k, o in _OUT]
        kept = [quantity(n, kind) for kind, n in counts if n]
        if not kept:
            return []
        path = self.artifacts.work_dir / subjects.ITEMS_ARTIFACT
        await asyncio.to_thread(write_items, prepared.readpst_output, path)
        name = await self.artifacts.store(
            self.work, path, f"calendar/contacts of {self.work.run_id}"
        )
        return [f"{', '.join(kept)} kept for download ({name}): IMAP cannot hold them"]

    def _outcome(self, verdict: Verdict, stats: RunStats, facts: list[MailboxEvent]) -> RunOutcome:
        for line in verdict.lines:
            self.ctx.log(line)
        return RunOutcome(
            tool=tool_of(self.work),
            status=verdict.status,
            error_class=verdict.error_class,
            error_message=verdict.message,
            stats=stats,
            facts=tuple(facts),
        )


def _expected(prepared: Prepared) -> int:
    return sum(e.messages for e in prepared.expectations.values())


def _drain(messages: Iterator[object]) -> None:
    # A verify reads mbox and eml uploads to the end: that is how their counts fill up.
    for _ in messages:
        pass
