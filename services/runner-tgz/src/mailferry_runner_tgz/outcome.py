"""A mailbox's verdict after an import: per folder, what the archive holds vs what arrived (pure).

Expected counts come from the archive (its ``.meta`` entries), found counts from the
destination *after* the import: never from the importer's own report, because Zimbra's
``postRestURL`` exits 0 even when items failed (FORMAT.md). ``found >= expected`` per folder is
the test (a rerun with ``resolve=skip`` or an earlier partial run may have left mail there).
A truncated archive is never ``ok``: what is after the cut is unknown.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from mailferry_runner_tgz.inventory import Inventory, Problem
from mailferry_runner_tgz.plan import imap_plan

Status = Literal["ok", "partial", "failed"]
MAX_PROBLEM_LINES = 50


@dataclass(frozen=True)
class FolderOutcome:
    """One source folder: ``expected`` from the archive, ``found`` at the destination."""

    source: str
    target: str
    expected: int
    found: int
    refused: int = 0

    @property
    def missing(self) -> int:
        return max(self.expected - self.found, 0)

    def line(self) -> str:
        refused = f", {self.refused} refused by the reader" if self.refused else ""
        verdict = f"{self.missing} missing" if self.missing else "complete"
        return f"{self.source} -> {self.target}: {self.found}/{self.expected} ({verdict}{refused})"


@dataclass(frozen=True)
class MailboxOutcome:
    """``status`` maps to RunFinished: ok -> success, partial -> partial, failed -> failed."""

    status: Status
    error_class: str | None
    message: str
    folders: tuple[FolderOutcome, ...] = ()
    not_mail: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def expected(self) -> int:
        return sum(f.expected for f in self.folders)

    @property
    def found(self) -> int:
        return sum(f.found for f in self.folders)

    def lines(self) -> list[str]:
        """The report for the run log: verdict, folders, what IMAP cannot hold, problems."""
        out = [self.message] if self.message else []
        out += [f.line() for f in self.folders]
        if self.not_mail:
            held = ", ".join(f"{n} {label}" for label, n in sorted(self.not_mail.items()))
            out.append(f"not mail, kept in the archive only: {held}")
        out += [p.line() for p in self.problems[:MAX_PROBLEM_LINES]]
        if len(self.problems) > MAX_PROBLEM_LINES:
            out.append(f"... and {len(self.problems) - MAX_PROBLEM_LINES} more problems")
        return out


def imap_outcome(
    inventory: Inventory,
    found: Mapping[str, int],
    names: Mapping[str, str] | None = None,
    excluded: Collection[str] = (),
) -> MailboxOutcome:
    """Verdict of an archive -> IMAP upload.

    ``found`` is, per local folder (``ArchiveMessage.folder``), the archive's messages present
    at the destination after the upload: uploaded plus already there. ``names`` gives the
    destination folder a local folder went to (``Sent`` -> ``Sent Items``), for the report;
    ``excluded`` local folders were left out on purpose (the job's options) and are not judged.
    """
    if inventory.unreadable is not None:
        return MailboxOutcome("failed", "file_unreadable", inventory.unreadable)
    names = names or {}
    folders = tuple(
        FolderOutcome(
            p.source, names.get(p.target, p.target), p.expected, found.get(p.target, 0), p.refused
        )
        for p in imap_plan(inventory).folders
        if p.target not in excluded
    )
    return _judge(inventory, folders, inventory.not_mail(), "messages")


def zimbra_outcome(inventory: Inventory, found: Mapping[str, int]) -> MailboxOutcome:
    """Verdict of an archive -> Zimbra/Carbonio import (``postRestURL``).

    ``found`` is ``getAllFolders``' item count per Zimbra path (``/Inbox/Sub``); Zimbra keeps
    contacts, appointments, tasks and documents too, so every item type is compared.
    """
    if inventory.unreadable is not None:
        return MailboxOutcome("failed", "file_unreadable", inventory.unreadable)
    by_path = {path.casefold(): n for path, n in found.items()}
    folders = tuple(
        FolderOutcome(f.name, f.name, f.contents, by_path.get(f.name.casefold(), 0), f.refused)
        for f in sorted(inventory.folders.values(), key=lambda f: f.path)
        if f.contents
    )
    return _judge(inventory, folders, {}, "items")


def _judge(
    inventory: Inventory,
    folders: tuple[FolderOutcome, ...],
    not_mail: Mapping[str, int],
    unit: str,
) -> MailboxOutcome:
    problems = tuple(inventory.problems)
    missing = sum(f.missing for f in folders)
    expected = sum(f.expected for f in folders)
    if inventory.stopped is not None:
        status: Status = "failed" if expected and missing == expected else "partial"
        message = f"{inventory.stopped}; {_summary(folders, unit)}; export it again for the rest"
        return MailboxOutcome(status, "file_unreadable", message, folders, not_mail, problems)
    if not missing:
        return MailboxOutcome("ok", None, _summary(folders, unit), folders, not_mail, problems)
    status = "failed" if missing == expected else "partial"
    short = sum(1 for f in folders if f.missing)
    refused = sum(f.refused for f in folders)
    message = f"{missing} of {expected} {unit} missing at the destination in {short} folder(s)"
    if refused:
        message += f"; {refused} refused while reading the archive (see problems)"
    error_class = "partial" if status == "partial" else "append_failed"
    return MailboxOutcome(status, error_class, message, folders, not_mail, problems)


def _summary(folders: Iterable[FolderOutcome], unit: str) -> str:
    listed = list(folders)
    found = sum(f.found for f in listed)
    expected = sum(f.expected for f in listed)
    return f"{found}/{expected} {unit} at the destination in {len(listed)} folder(s)"
