"""An engine's outcome -> the run's outcome with the mailbox facts it established (pure)."""

from mailferry_bus.runners import RunOutcome
from mailferry_contracts.common import RunStatus, Tool
from mailferry_contracts.mailboxes import MailboxEvent, MailboxPreflighted, MailboxVerified
from mailferry_contracts.runs import ImapWork, StartPreflight
from mailferry_runner_imap.engine import EngineOutcome


def to_run_outcome(work: ImapWork, tool: Tool, outcome: EngineOutcome) -> RunOutcome:
    """RunFinished's fields plus MailboxPreflighted/MailboxVerified where the run made them."""
    return RunOutcome(
        tool=tool,
        status=outcome.status,
        error_class=outcome.error_class,
        error_message=outcome.message,
        exit_code=outcome.exit_code,
        stats=outcome.stats,
        facts=_facts(work, outcome),
    )


def refused(work: ImapWork, tool: Tool, error_class: str, message: str) -> RunOutcome:
    """A run that could not start (no engine, no credential, invalid input)."""
    outcome = EngineOutcome(status=RunStatus.FAILED, error_class=error_class, message=message)
    return to_run_outcome(work, tool, outcome)


def _facts(work: ImapWork, outcome: EngineOutcome) -> tuple[MailboxEvent, ...]:
    if isinstance(work, StartPreflight):
        return (_preflighted(work, outcome),)
    report = outcome.verification
    if report is None:
        return ()
    verified = MailboxVerified(
        job_id=work.job_id,
        run_id=work.run_id,
        folders=report.folders,
        source_messages=report.source_messages,
        destination_messages=report.destination_messages,
        source_bytes=report.source_bytes,
        destination_bytes=report.destination_bytes,
    )
    return (verified,)


def _preflighted(work: ImapWork, outcome: EngineOutcome) -> MailboxPreflighted:
    report = outcome.preflight
    ok = report.ok if report is not None else False
    return MailboxPreflighted(
        job_id=work.job_id,
        run_id=work.run_id,
        ok=ok and outcome.status == RunStatus.SUCCESS,
        error_class=outcome.error_class,
        error_message=outcome.message if outcome.error_class else "",
        source_folders=report.source_folders if report else [],
        destination_folders=report.destination_folders if report else [],
        destination_quota=report.destination_quota if report else None,
    )
