"""``migration_gate_checks`` (latest result per check) and ``migration_gate_evaluations``."""

from mailferry_contracts import Envelope
from mailferry_contracts.gate import GateEvaluated
from mailferry_projector.views import Cursor, jsonb

_EVALUATION = """
INSERT INTO migration_gate_evaluations (
    evaluation_id, job_id, gate, previous_gate, reason, approval_invalidated, checks,
    mailbox_ratios, evaluated_at, event_seq
) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (evaluation_id) DO NOTHING
"""

_CHECK = """
INSERT INTO migration_gate_checks (
    job_id, check_name, status, message, mailboxes, evaluation_id, evaluated_at
) VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (job_id, check_name) DO UPDATE SET
    status = EXCLUDED.status, message = EXCLUDED.message, mailboxes = EXCLUDED.mailboxes,
    evaluation_id = EXCLUDED.evaluation_id, evaluated_at = EXCLUDED.evaluated_at
"""


async def on_evaluated(cur: Cursor, env: Envelope[GateEvaluated], seq: int) -> None:
    event = env.payload
    dumped = event.model_dump(mode="json", include={"checks", "mailbox_ratios"})
    await cur.execute(
        _EVALUATION,
        (
            event.evaluation_id,
            env.aggregate_id,
            event.gate.value,
            event.previous_gate.value if event.previous_gate else None,
            event.reason,
            event.approval_invalidated,
            jsonb(dumped["checks"]),
            jsonb(dumped["mailbox_ratios"]),
            env.occurred_at,
            seq,
        ),
    )
    await cur.executemany(
        _CHECK,
        [
            (
                env.aggregate_id,
                check.name.value,
                check.status.value,
                check.message,
                jsonb(check.mailboxes),
                event.evaluation_id,
                env.occurred_at,
            )
            for check in event.checks
        ],
    )
