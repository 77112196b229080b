"""A run's verdict from what each step found (pure): RunFinished's status, class and message.

- failed: the upload could not run or lost its connection (the class decides whether the
  machinery tries again; a rerun copies only what is missing), or the destination could not
  be counted;
- partial: anything short anywhere: readpst lost items, a message is in quarantine, a
  destination folder holds fewer messages than expected, or the uploader stopped early;
- success: everything expected is at the destination. Items IMAP cannot hold (posts,
  distribution lists, calendars, contacts) are reported in the message, never hidden.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from mailferry_contracts.common import RunStatus
from mailferry_imap import UploadReport, VerifyReport
from mailferry_runner_pst.outcome import ExtractionOutcome
from mailferry_runner_pst.quarantine import QuarantineEntry
from mailferry_runner_pst.verification import shortfalls

MESSAGE_LIMIT = 4000
"""RunFinished keeps the first lines; the run log has them all."""
PARTIAL = "partial"


@dataclass(frozen=True)
class Verdict:
    """The status, the error class and the lines that explain them."""

    status: RunStatus
    error_class: str | None
    lines: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        text = "; ".join(self.lines)
        return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3] + "..."


@dataclass(frozen=True)
class ImportFindings:
    """What the steps of one import found."""

    extraction: ExtractionOutcome | None
    upload: UploadReport
    quarantined: Sequence[QuarantineEntry]
    verification: VerifyReport | None
    notes: Sequence[str] = ()


def judge_import(found: ImportFindings) -> Verdict:
    """The verdict of an import run."""
    stop = stop_class(found.upload)
    if stop is not None:
        return Verdict(RunStatus.FAILED, stop, (found.upload.error_message,))
    if found.upload.dry_run:
        planned = sum(f.planned for f in found.upload.folders)
        return Verdict(RunStatus.SUCCESS, None, (f"dry run: {planned} would be uploaded",))
    if found.verification is not None and not found.verification.ok:
        return _uncounted(found.verification)
    short = shortfalls(found.verification.folders) if found.verification else []
    lines = (*_extraction_lines(found.extraction), _summary(found), *short, *found.notes)
    if not short and not found.quarantined and not _lost(found):
        return Verdict(RunStatus.SUCCESS, None, lines)
    return Verdict(RunStatus.PARTIAL, _partial_class(found), lines)


def judge_verification(report: VerifyReport, extraction: ExtractionOutcome | None) -> Verdict:
    """The verdict of a verify run: partial when a destination folder falls short."""
    if not report.ok:
        return _uncounted(report)
    short = shortfalls(report.folders)
    head = f"{report.destination_messages} of {report.source_messages} expected messages there"
    lines = (head, *short, *_extraction_lines(extraction))
    if not short:
        return Verdict(RunStatus.SUCCESS, None, lines)
    return Verdict(RunStatus.PARTIAL, PARTIAL, lines)


def stop_class(upload: UploadReport) -> str | None:
    """The class of an error that stopped the upload itself (not a refused message)."""
    if upload.error_class is None:
        return None
    if upload.error_class in {r.error_class for r in upload.rejected}:
        return None
    return upload.error_class


def _uncounted(report: VerifyReport) -> Verdict:
    line = f"the destination could not be counted: {report.error_message}"
    return Verdict(RunStatus.FAILED, report.error_class or "internal", (line,))


def _extraction_lines(extraction: ExtractionOutcome | None) -> list[str]:
    return extraction.lines() if extraction is not None else []


def _summary(found: ImportFindings) -> str:
    stats = found.upload.stats
    text = f"uploaded {stats.transferred}, already there {stats.skipped}"
    if found.quarantined:
        reasons = Counter(entry.reason for entry in found.quarantined)
        detail = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
        text += f", in quarantine {len(found.quarantined)} ({detail})"
    return text


def _lost(found: ImportFindings) -> bool:
    extraction_short = found.extraction is not None and found.extraction.status == PARTIAL
    return extraction_short or found.upload.error_class is not None


def _partial_class(found: ImportFindings) -> str:
    if found.quarantined:
        return Counter(entry.reason for entry in found.quarantined).most_common(1)[0][0]
    return found.upload.error_class or PARTIAL
