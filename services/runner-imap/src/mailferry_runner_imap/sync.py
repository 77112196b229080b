"""Plan an imapsync run and classify how it ended (pure).

The exit code alone is not enough: imapsync exits with the code of its *most frequent* error
type, a SIGTERM shows as 143 to the parent while the log says "return value 6", and over-quota
and login failures print no statistics. So the verdict reads both the code and the summary.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from mailferry_contracts.common import FolderStat, Quota, RunStatus
from mailferry_contracts.mailboxes import FolderVerification
from mailferry_contracts.runs import ImapWork, RunStats, StartPreflight, StartVerify
from mailferry_runner_imap.engine import PreflightReport, VerifyReport
from mailferry_runner_imap.summary import FolderSize, LogSummary, Statistics

# imapsync 2.229 exit codes (Readonly $EX_* / $EXIT_* in the script).
EX_OK = 0
EXIT_BY_SIGNAL = 6
EXIT_CONNECTION_FAILURE = 10
EXIT_TLS_FAILURE = 12
EXIT_AUTHENTICATION_FAILURE = 16
EXIT_SUBFOLDER1_NO_EXISTS = 21
EX_USAGE = 64
EXIT_CONNECTION_FAILURE_HOST1 = 101
EXIT_CONNECTION_FAILURE_HOST2 = 102
EXIT_OVERQUOTA = 113
EXIT_AUTHENTICATION_FAILURE_USER1 = 161
EXIT_AUTHENTICATION_FAILURE_USER2 = 162
SIGNAL_BASE = 128
CANCEL_SIGNALS = frozenset({1, 2, 9, 15})  # HUP, INT, KILL, TERM: someone stopped it

_CLASS_OF_CODE = {
    EXIT_AUTHENTICATION_FAILURE_USER1: "auth_failed_source",
    EXIT_AUTHENTICATION_FAILURE_USER2: "auth_failed_target",
    EXIT_TLS_FAILURE: "tls_failed",
    EXIT_OVERQUOTA: "over_quota",
    EX_USAGE: "invalid_input",
    EXIT_SUBFOLDER1_NO_EXISTS: "folder_failed",
    111: "partial",
    112: "partial",
    114: "append_failed",
    115: "fetch_failed",
    116: "folder_failed",
    117: "folder_failed",
    118: "partial",
    119: "append_failed",
    120: "partial",
}
_CONNECTION_CODES = {
    EXIT_CONNECTION_FAILURE,
    EXIT_CONNECTION_FAILURE_HOST1,
    EXIT_CONNECTION_FAILURE_HOST2,
}
SENT_NAMES = frozenset({"sent", "sent items", "sent messages", "sent mail", "отправленные"})


class Step(StrEnum):
    """One imapsync invocation."""

    LOGIN = "justlogin"
    SIZES = "justfoldersizes"
    SYNC = "sync"


def plan(work: ImapWork) -> list[Step]:
    """The invocations a command needs, in order (each stops the plan when it fails)."""
    if isinstance(work, StartPreflight):
        return [Step.LOGIN, Step.SIZES]
    if isinstance(work, StartVerify):
        return [Step.SIZES]
    return [Step.SYNC]


@dataclass(frozen=True)
class Verdict:
    """Status, class and message of one invocation; ``stats`` is None when counts are unknown."""

    status: RunStatus
    error_class: str | None = None
    message: str = ""
    stats: RunStats | None = None

    @property
    def ok(self) -> bool:
        return self.status == RunStatus.SUCCESS


def normalize_exit(returncode: int | None) -> int | None:
    """Exit status in the shell's form (asyncio reports death by signal N as -N)."""
    if returncode is not None and returncode < 0:
        return SIGNAL_BASE - returncode
    return returncode


def classify(step: Step, returncode: int | None, summary: LogSummary) -> Verdict:
    """The verdict on one imapsync invocation from its exit status and its log."""
    code = normalize_exit(returncode)
    stats = run_stats(summary)
    if code is None:
        return Verdict(RunStatus.FAILED, "tool_missing", "imapsync could not be started")
    if _cancelled(code, summary):
        return Verdict(RunStatus.FAILED, "cancelled", _message(code, summary), stats)
    if code == EX_OK:
        return _success(step, summary, stats)
    error_class = _failure_class(code, summary)
    partial = stats is not None and summary.statistics is not None
    if partial and summary.statistics is not None and summary.statistics.folders_synced > 0:
        return Verdict(RunStatus.PARTIAL, error_class, _message(code, summary), stats)
    return Verdict(RunStatus.FAILED, error_class, _message(code, summary), stats)


def _cancelled(code: int, summary: LogSummary) -> bool:
    by_signal = code > SIGNAL_BASE and code - SIGNAL_BASE in CANCEL_SIGNALS
    return by_signal or EXIT_BY_SIGNAL in (code, summary.exit_value)


def _success(step: Step, summary: LogSummary, stats: RunStats | None) -> Verdict:
    if step == Step.LOGIN:
        if summary.login.get(1) and summary.login.get(2):
            return Verdict(RunStatus.SUCCESS, message="both logins succeeded")
        return Verdict(RunStatus.FAILED, "internal", "exit 0 but no successful login was logged")
    if step == Step.SIZES:
        if summary.folder_sizes:
            return Verdict(RunStatus.SUCCESS, stats=stats)
        return Verdict(RunStatus.FAILED, "internal", "exit 0 but no folder sizes were logged")
    if summary.statistics is None or stats is None:
        return Verdict(
            RunStatus.FAILED, "internal", "exit 0 without a Statistics block: counts unknown"
        )
    return Verdict(RunStatus.SUCCESS, message=notes(summary.statistics, summary), stats=stats)


def _failure_class(code: int, summary: LogSummary) -> str:
    if code == EXIT_AUTHENTICATION_FAILURE:
        return "auth_failed_source" if summary.login.get(1) is False else "auth_failed_target"
    if code in _CONNECTION_CODES:
        text = " ".join(summary.failures + summary.errors).lower()
        return "timeout" if "timeout" in text or "timed out" in text else "connection_failed"
    return _CLASS_OF_CODE.get(code, "internal")


def _message(code: int, summary: LogSummary) -> str:
    name = f" ({summary.exit_name})" if summary.exit_name else ""
    # Per-message errors quote Subjects (personal data): keep only the part before them.
    errors = [e.split(" ( Subject:", 1)[0] for e in summary.errors]
    detail = (summary.failures or [summary.most_frequent_error or ""])[0]
    if not detail and errors:
        detail = errors[0]
    elif summary.most_frequent_error and errors and not summary.failures:
        detail = f"{summary.most_frequent_error}, e.g. {errors[0]}"
    if summary.signal:
        detail = f"stopped by signal {summary.signal}"
    return f"imapsync exit {code}{name}: {detail}".rstrip(": ")


def notes(stats: Statistics, summary: LogSummary) -> str:
    """What a successful sync left behind that an operator should know about."""
    parts = []
    if stats.noheader_host1 or summary.unidentified:
        count = max(stats.noheader_host1, summary.unidentified)
        parts.append(f"{count} messages without Message-ID were not copied (unidentifiable)")
    if stats.duplicates_host1:
        parts.append(f"{stats.duplicates_host1} duplicate copies at the source were skipped")
    if stats.would_transfer is not None:
        parts.append(f"dry run: {stats.would_transfer} messages would be copied")
    return "; ".join(parts)


def run_stats(summary: LogSummary) -> RunStats | None:
    """RunStats from the Statistics block; ``None`` when imapsync printed none."""
    stats = summary.statistics
    if stats is None:
        return None
    errors = summary.detected_errors if summary.detected_errors is not None else 0
    return RunStats(
        transferred=stats.transferred,
        skipped=stats.skipped,
        errors=max(errors, summary.error_count),
        folders=stats.folders_synced,
        bytes=stats.bytes_transferred,
        duplicates=stats.duplicates_host1,
        no_message_id=stats.noheader_host1,
    )


def preflight_report(summary: LogSummary, ok: bool) -> PreflightReport:
    """Folders at both ends and the destination quota, from a --justfoldersizes log."""
    quota = None
    if summary.quota is not None:
        quota = Quota(used_bytes=summary.quota[0], limit_bytes=summary.quota[1])
    source = [_stat(f) for f in _unique(summary.folder_sizes, host=1)]
    destination = [_stat(f) for f in _unique(summary.folder_sizes, host=2) if f.exists]
    return PreflightReport(ok, source, destination, quota)


def verify_report(summary: LogSummary) -> VerifyReport:
    """Per destination folder: the source folders mapped onto it (summed) against it."""
    sources = {f.index: f for f in summary.folder_sizes if f.host == 1}
    targets = {f.index: f for f in summary.folder_sizes if f.host == 2}  # noqa: PLR2004
    merged: dict[str, list[FolderSize]] = {}
    for index, source in sorted(sources.items()):
        target = targets.get(index)
        merged.setdefault(target.name if target else source.name, []).append(source)
    folders = [_verification(name, srcs, targets) for name, srcs in merged.items()]
    dst_bytes = sum(f.size or 0 for f in _unique(list(targets.values()), host=2))
    src_bytes = sum(f.size or 0 for f in sources.values())
    return VerifyReport(folders, src_bytes, dst_bytes)


def _verification(
    name: str, sources: list[FolderSize], targets: dict[int, FolderSize]
) -> FolderVerification:
    target = next((t for t in targets.values() if t.name == name), None)
    names = [s.name for s in sources]
    return FolderVerification(
        source_folders=names,
        destination_folder=name,
        source_messages=sum(s.messages or 0 for s in sources),
        destination_messages=(target.messages or 0) if target else 0,
        role=_role(name, names),
    )


def _role(destination: str, sources: list[str]) -> Literal["inbox", "sent", "other"]:
    if destination.upper() == "INBOX":
        return "inbox"
    if any(n.lower() in SENT_NAMES for n in [destination, *sources]):
        return "sent"
    return "other"


def _unique(sizes: list[FolderSize], host: int) -> list[FolderSize]:
    seen: dict[str, FolderSize] = {}
    for size in sizes:
        if size.host == host:
            seen.setdefault(size.name, size)
    return list(seen.values())


def _stat(size: FolderSize) -> FolderStat:
    return FolderStat(name=size.name, messages=size.messages or 0, bytes=size.size or 0)
