"""Read-model rows for the browser tests that need a job in a given state without running it."""

import uuid

from tests.e2e.dashboard.conftest import Dashboard
from tests.integration.api.seed import seed_job, seed_mailboxes

CHECKS = [
    ("count_ratio", "pass", "99.6 % of the messages are at the destination"),
    ("inbox_complete", "pass", "every INBOX is complete"),
    ("sent_complete", "warn", "2 mailboxes hold fewer sent messages: user00003, user00008"),
    ("pst_quarantine", "pass", "nothing in quarantine"),
    ("delta_pending", "pass", "every mailbox had a delta after its initial sync"),
    ("manual_approval", "fail", "waiting for an ops lead"),
]


def seeded_job(
    board: Dashboard, mailboxes: int, *, phase: str = "delta_sync", gate: str = "warning"
) -> uuid.UUID:
    """A job with ``mailboxes`` rows of every status and its gate checks."""
    job = uuid.uuid4()
    seed_job(board.stack.database_url, job, domain=f"{job.hex[:6]}.example", phase=phase, gate=gate)
    seed_mailboxes(board.stack.database_url, job, mailboxes)
    evaluation = uuid.uuid4()
    for name, status, message in CHECKS:
        board.sql(
            "INSERT INTO migration_gate_checks (job_id, check_name, status, message, mailboxes, "
            "evaluation_id, evaluated_at) VALUES (%s, %s, %s, %s, '[]', %s, now())",
            [job, name, status, message, evaluation],
        )
    board.sql(
        "UPDATE migration_jobs SET mailbox_count = %s, last_evaluation_id = %s, "
        "ticket_id = 'T-1042' WHERE id = %s",
        [mailboxes, evaluation, job],
    )
    return job
