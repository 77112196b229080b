"""The mailbox facts an import establishes: its quarantine and its verification (pure)."""

from collections.abc import Sequence

from mailferry_contracts.mailboxes import MailboxVerified, QuarantineRecorded
from mailferry_contracts.runs import StartUploadImport
from mailferry_imap import VerifyReport
from mailferry_runner_pst.quarantine import QuarantineEntry, item_of

MAX_LISTED = 2000
"""Items listed in one QuarantineRecorded (the event must stay well under 1 MB); ``count`` and
the mbox always hold every message."""


def quarantine_recorded(
    work: StartUploadImport, artifact: str, entries: Sequence[QuarantineEntry]
) -> QuarantineRecorded:
    """QuarantineRecorded listing the run's quarantine mbox, in its order."""
    return QuarantineRecorded(
        job_id=work.job_id,
        run_id=work.run_id,
        artifact=artifact,
        count=len(entries),
        items=[item_of(entry, index) for index, entry in enumerate(entries[:MAX_LISTED])],
    )


def mailbox_verified(
    work: StartUploadImport, report: VerifyReport, expected: int
) -> MailboxVerified:
    """MailboxVerified for the gate; ``expected`` is what the uploaded file holds."""
    return MailboxVerified(
        job_id=work.job_id,
        run_id=work.run_id,
        folders=report.folders,
        source_messages=report.source_messages,
        destination_messages=report.destination_messages,
        source_bytes=report.source_bytes,
        destination_bytes=report.destination_bytes,
        expected_messages=expected,
    )
