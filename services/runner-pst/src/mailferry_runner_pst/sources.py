"""An uploaded file as one stream of messages, plus what the file says should arrive.

PST: the independent count, then readpst, then the comparison (``outcome.decide``); the
messages are readpst's mbox files. mbox: the file itself goes to INBOX (or where the folder
map sends the top). eml zip: every safe ``.eml`` entry, its zip directories as folders.
Messages that cannot be read become quarantine entries, counted where they were going.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mailferry_runner_pst.adapters.eml_zip import read_eml_zip
from mailferry_runner_pst.adapters.mbox_files import read_mbox, readpst_messages
from mailferry_runner_pst.adapters.pst_counter import count_items
from mailferry_runner_pst.adapters.readpst import OUTPUT_DIR_NAME, build_argv, run_readpst
from mailferry_runner_pst.adapters.readpst_output import scan_output
from mailferry_runner_pst.counts import CountUnavailable, OutputFile
from mailferry_runner_pst.eml_entries import SkippedEntry, ZipLimits, entry_folder
from mailferry_runner_pst.extraction import ExtractedStore, judge_exit, parse_progress
from mailferry_runner_pst.folders import FolderTarget, map_folder
from mailferry_runner_pst.mbox import RawMessage
from mailferry_runner_pst.messages import LocalMessage
from mailferry_runner_pst.outcome import ExtractionOutcome, decide, not_supported
from mailferry_runner_pst.quarantine import QuarantineEntry, unreadable
from mailferry_runner_pst.verification import (
    Expectations,
    Wanted,
    count_message,
    extracted_expectations,
    pst_expectations,
    skipped_folders,
)

_NOT_MESSAGES = ("not an .eml file", "deleted items were not requested")


@dataclass(frozen=True)
class SourceOptions:
    """How the job wants the file read."""

    folder_map: Mapping[str, str]
    include_deleted: bool
    wanted: Wanted
    max_message_bytes: int


@dataclass(frozen=True)
class Readpst:
    """The readpst to run and how."""

    binary: str
    keep_rtf_body: bool = True


@dataclass
class Prepared:
    """Messages to upload (a blocking iterator) and what the file promised.

    ``expectations`` and ``quarantine`` of mbox and eml uploads fill up while ``messages`` is
    consumed; read them after the upload.
    """

    messages: Iterator[LocalMessage]
    expectations: Expectations = field(default_factory=dict)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    total: int | None = None
    extraction: ExtractionOutcome | None = None
    readpst_output: Path | None = None
    notes: list[str] = field(default_factory=list)


class PstHooks:
    """What the PST extraction reports while it runs (run log, RunStarted, progress)."""

    def __init__(
        self,
        log: Callable[[str], None],
        started: Callable[[str], Awaitable[None]],
        folder: Callable[[str], None],
    ) -> None:
        self.log = log
        self.started = started
        self.folder = folder

    def line(self, text: str) -> None:
        self.log(f"readpst: {text}")
        progress = parse_progress(text)
        if progress is not None:
            self.folder(progress.name)


async def prepare_pst(
    path: Path, work_dir: Path, readpst: Readpst, options: SourceOptions, hooks: PstHooks
) -> Prepared | ExtractionOutcome:
    """Count, extract and compare; a failed extraction comes back as its outcome."""
    count = await asyncio.to_thread(count_items, path)
    if isinstance(count, CountUnavailable) and count.not_a_pst:
        return not_supported(count)
    deleted = options.include_deleted
    argv = build_argv(
        readpst.binary, path, work_dir / OUTPUT_DIR_NAME,
        include_deleted=deleted, keep_rtf_body=readpst.keep_rtf_body,
    )  # fmt: skip
    await hooks.started(" ".join(argv))
    run = await run_readpst(
        readpst.binary, path, work_dir,
        include_deleted=deleted, keep_rtf_body=readpst.keep_rtf_body, on_line=hooks.line,
    )  # fmt: skip
    extracted = await asyncio.to_thread(scan_output, run.output_dir)
    verdict = judge_exit(run.exit_code, run.stdout, run.stderr)
    outcome = decide(count, verdict, extracted, deleted)
    if outcome.status == "failed":
        return outcome
    prepared = Prepared(iter(()), extraction=outcome, readpst_output=run.output_dir)
    prepared.expectations = _pst_expectations(outcome, extracted, options)
    folders = extracted if outcome.comparison is None else outcome.comparison.folders
    prepared.notes += skipped_folders(
        folders, options.folder_map, options.wanted, include_deleted=deleted
    )
    prepared.total = extracted.total(OutputFile.MBOX)
    messages = readpst_messages(
        run.output_dir, extracted, options.folder_map, include_deleted=deleted,
        max_message_bytes=options.max_message_bytes, on_oversized=_oversized(prepared, options),
    )  # fmt: skip
    prepared.messages = (m for m in messages if options.wanted(m.source_folder))
    return prepared


def _pst_expectations(
    outcome: ExtractionOutcome, extracted: ExtractedStore, options: SourceOptions
) -> Expectations:
    deleted = options.include_deleted
    if outcome.comparison is None:
        return extracted_expectations(
            extracted, options.folder_map, options.wanted, include_deleted=deleted
        )
    return pst_expectations(
        outcome.comparison, options.folder_map, options.wanted, include_deleted=deleted
    )


def prepare_mbox(path: Path, options: SourceOptions) -> Prepared:
    """An uploaded mbox: every message goes where the store root goes (INBOX by default)."""
    target = map_folder((), options.folder_map, include_deleted=options.include_deleted)
    prepared = Prepared(iter(()))
    on_oversized = _oversized(prepared, options, counted=False)
    messages = read_mbox(path, target, "mbox", options.max_message_bytes, on_oversized)
    prepared.messages = _tallied(messages, prepared, options.wanted)
    return prepared


def prepare_eml_zip(path: Path, options: SourceOptions) -> Prepared:
    """An uploaded zip of .eml files: zip directories are folders."""
    prepared = Prepared(iter(()))
    skipped: list[SkippedEntry] = []
    messages = read_eml_zip(
        path, skipped, options.folder_map, ZipLimits(max_entry_bytes=options.max_message_bytes),
        include_deleted=options.include_deleted,
    )  # fmt: skip
    prepared.messages = _with_skipped(
        _tallied(messages, prepared, options.wanted), skipped, prepared, options
    )
    return prepared


def _tallied(
    messages: Iterator[LocalMessage], prepared: Prepared, wanted: Wanted
) -> Iterator[LocalMessage]:
    for message in messages:
        if wanted(message.source_folder):
            count_message(prepared.expectations, message.target)
            yield message


def _with_skipped(
    messages: Iterator[LocalMessage],
    skipped: list[SkippedEntry],
    prepared: Prepared,
    options: SourceOptions,
) -> Iterator[LocalMessage]:
    yield from messages
    for entry in skipped:
        if entry.reason in _NOT_MESSAGES:
            prepared.notes.append(f"zip entry {entry.name} skipped: {entry.reason}")
            continue
        folder = entry_folder(entry.name) or ()
        target = map_folder(folder, options.folder_map, include_deleted=options.include_deleted)
        if not options.wanted(folder):
            continue
        count_message(prepared.expectations, target)
        prepared.quarantine.append(unreadable(target.target_path, entry.name, entry.reason, 0))


def _oversized(
    prepared: Prepared, options: SourceOptions, *, counted: bool = True
) -> Callable[[FolderTarget, str, RawMessage], None]:
    def on_oversized(target: FolderTarget, name: str, raw: RawMessage) -> None:
        if not options.wanted(target.source):
            return
        if not counted:
            count_message(prepared.expectations, target)
        detail = f"larger than {options.max_message_bytes} bytes; not read"
        prepared.quarantine.append(
            unreadable(target.target_path, name, detail, options.max_message_bytes)
        )

    return on_oversized
