"""What the destination should hold per folder, and what falls short there (pure).

The expectation of a PST folder is its independent count of mail (what readpst extracted
when that is more, plus items of unreadable type it did not account for); of an mbox or eml
folder, every message found in the file, read or not. Folders are keyed by the local folder
path the uploader maps (``map_folder``), so the destination side is counted exactly where
the messages were sent.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from mailferry_contracts.mailboxes import FolderVerification
from mailferry_imap import VerifyReport
from mailferry_runner_pst.comparison import Comparison, FolderVerdict
from mailferry_runner_pst.counts import ItemKind, OutputFile
from mailferry_runner_pst.extraction import ExtractedStore
from mailferry_runner_pst.folders import FolderTarget, map_folder

Wanted = Callable[[tuple[str, ...]], bool]
"""Whether a source folder path is imported at all (job include/exclude patterns)."""


@dataclass
class Expectation:
    """Messages expected in one local folder, and the source folders they come from."""

    names: list[str] = field(default_factory=list)
    messages: int = 0

    def add(self, name: str, messages: int) -> None:
        if name not in self.names:
            self.names.append(name)
        self.messages += messages


Expectations = dict[str, Expectation]
"""Local folder path (the uploader's input) -> what should arrive there."""


def expected_mail(verdict: FolderVerdict) -> int:
    """Mail a PST folder should deliver to IMAP."""
    found = max(verdict.expected.get(ItemKind.MAIL, 0), verdict.extracted.get(OutputFile.MBOX, 0))
    return found + verdict.missing.get(ItemKind.UNKNOWN, 0)


def pst_expectations(
    comparison: Comparison,
    folder_map: Mapping[str, str],
    wanted: Wanted,
    *,
    include_deleted: bool,
) -> Expectations:
    """Per local folder, the mail the PST's independent count says should arrive."""
    found: Expectations = {}
    for verdict in comparison.folders:
        target = map_folder(verdict.path, folder_map, include_deleted=include_deleted)
        messages = expected_mail(verdict)
        if verdict.excluded or target.excluded or not wanted(verdict.path) or not messages:
            continue
        found.setdefault(target.target_path, Expectation()).add(verdict.name, messages)
    return found


def skipped_folders(
    folders: Iterable[FolderVerdict] | ExtractedStore,
    folder_map: Mapping[str, str],
    wanted: Wanted,
    *,
    include_deleted: bool,
) -> list[str]:
    """One line per folder readpst extracted that the import leaves out on purpose.

    readpst itself skips only a folder named exactly "Deleted Items" (the comparison reports
    that one); a localised one ("Gelöschte Elemente") is extracted and then left out here,
    and must be said just as loudly.
    """
    if isinstance(folders, ExtractedStore):
        found = [(f.path, "/".join(f.path), f.count(OutputFile.MBOX)) for f in folders.folders]
    else:
        found = [(v.path, v.name, expected_mail(v)) for v in folders if not v.excluded]
    lines = []
    for path, name, messages in found:
        excluded = map_folder(path, folder_map, include_deleted=include_deleted).excluded
        if excluded and messages and wanted(path):
            lines.append(f"{name}: {messages} messages not imported: {excluded}")
    return lines


def extracted_expectations(
    extracted: ExtractedStore,
    folder_map: Mapping[str, str],
    wanted: Wanted,
    *,
    include_deleted: bool,
) -> Expectations:
    """Without an independent count, at least what readpst extracted must arrive."""
    found: Expectations = {}
    for folder in extracted.folders:
        target = map_folder(folder.path, folder_map, include_deleted=include_deleted)
        messages = folder.count(OutputFile.MBOX)
        if target.excluded or not wanted(folder.path) or not messages:
            continue
        found.setdefault(target.target_path, Expectation()).add("/".join(folder.path), messages)
    return found


def count_message(found: Expectations, target: FolderTarget) -> None:
    """Tally one message of an mbox or eml upload, read or not."""
    name = "/".join(target.source) or "(top)"
    found.setdefault(target.target_path, Expectation()).add(name, 1)


def with_source_names(report: VerifyReport, found: Expectations) -> VerifyReport:
    """The report with source folders named as the upload names them (not local paths)."""
    folders = [_renamed(folder, found) for folder in report.folders]
    return report.model_copy(update={"folders": folders})


def _renamed(folder: FolderVerification, found: Expectations) -> FolderVerification:
    names = [n for local in folder.source_folders for n in _names(found, local)]
    return folder.model_copy(update={"source_folders": names})


def _names(found: Expectations, local: str) -> list[str]:
    expectation = found.get(local)
    return expectation.names if expectation is not None else [local]


def shortfalls(folders: Iterable[FolderVerification]) -> list[str]:
    """One line per destination folder holding fewer messages than expected."""
    return [
        f"{' + '.join(f.source_folders)} -> {f.destination_folder}: expected "
        f"{f.source_messages}, at the destination {f.destination_messages}, missing "
        f"{f.source_messages - f.destination_messages}"
        for f in folders
        if f.destination_messages < f.source_messages
    ]


def folder_lines(folders: Iterable[FolderVerification]) -> list[str]:
    """One line per destination folder: expected there, and there."""
    return [
        f"{' + '.join(f.source_folders)} -> {f.destination_folder}: "
        f"{f.source_messages} expected / {f.destination_messages} there"
        for f in folders
    ]
