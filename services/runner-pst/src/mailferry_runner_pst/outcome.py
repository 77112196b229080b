"""The extraction's verdict for one mailbox: ok, partial, or a clear error (pure)."""

from dataclasses import dataclass
from typing import Literal

from mailferry_runner_pst.comparison import Comparison, compare
from mailferry_runner_pst.counts import CountUnavailable, OutputFile, StoreCount
from mailferry_runner_pst.extraction import ExitVerdict, ExtractedStore

Status = Literal["ok", "partial", "failed"]


@dataclass(frozen=True)
class ExtractionOutcome:
    """``status`` maps to RunFinished: ok -> success, partial -> partial, failed -> failed."""

    status: Status
    error_class: str | None
    message: str
    comparison: Comparison | None = None
    password_protected: bool = False

    def lines(self) -> list[str]:
        head = [self.message] if self.message else []
        if self.password_protected:
            head.append("the PST is password-protected; readpst opened it without the password")
        return head + (self.comparison.lines() if self.comparison else [])


def not_supported(count: CountUnavailable) -> ExtractionOutcome:
    """The file is not an Outlook data file: readpst is not even started."""
    return ExtractionOutcome("failed", "file_not_supported", f"not a PST/OST file: {count.reason}")


def decide(
    count: StoreCount | CountUnavailable,
    exit_verdict: ExitVerdict,
    extracted: ExtractedStore,
    include_deleted: bool,
) -> ExtractionOutcome:
    """Combine the independent count, readpst's exit and its output into one verdict."""
    protected = isinstance(count, StoreCount) and count.password_protected
    if exit_verdict.error_class is not None:
        return ExtractionOutcome(
            "failed", exit_verdict.error_class, exit_verdict.message, None, protected
        )
    if isinstance(count, CountUnavailable):
        mails = extracted.total(OutputFile.MBOX)
        message = (
            f"independent count unavailable ({count.reason}); readpst extracted {mails} "
            "messages that cannot be checked for completeness"
        )
        return ExtractionOutcome("partial", "partial", message)
    comparison = compare(count, extracted, include_deleted)
    if comparison.outcome == "ok":
        return ExtractionOutcome("ok", None, "", comparison, protected)
    return ExtractionOutcome(
        "partial", "partial", "readpst did not extract everything", comparison, protected
    )
