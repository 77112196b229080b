import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from mailferry_api.errors import NotFoundError
from mailferry_api.quarantine.commands import (
    fold_quarantines,
    quarantine_reviewed,
    retry_run_type,
)
from mailferry_api.quarantine.schemas import ReviewIn
from mailferry_bus import StoredEvent
from mailferry_contracts import encode, new_envelope, system_actor
from mailferry_contracts.common import RunType
from mailferry_contracts.mailboxes import QuarantineItem, QuarantineRecorded, QuarantineReviewed
from mailferry_contracts.runs import RunQueued

JOB, MAILBOX, RUN = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ACTOR = system_actor("tests")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def stored(*payloads: Any) -> list[StoredEvent]:
    events = []
    for seq, payload in enumerate(payloads, start=1):
        env = new_envelope(payload, aggregate_id=str(MAILBOX), actor=ACTOR, now=NOW)
        events.append(StoredEvent(seq, "migration.events.x", encode(env), env))
    return events


RECORDED = QuarantineRecorded(
    job_id=JOB, run_id=RUN, artifact="a", count=1,
    items=[QuarantineItem(index=0, folder="INBOX", size_bytes=1, reason="over_quota")],
)  # fmt: skip


class TestQuarantineReviewed:
    def test_a_recorded_quarantine_is_reviewed(self):
        review = ReviewIn(decision="accept", note="old newsletters")
        [env] = quarantine_reviewed(fold_quarantines(stored(RECORDED)), MAILBOX, RUN, review,
                                    ACTOR, NOW)  # fmt: skip
        assert env.payload == QuarantineReviewed(
            job_id=JOB, run_id=RUN, decision="accept", note="old newsletters"
        )
        assert env.aggregate_id == str(MAILBOX)

    def test_a_run_without_quarantine_is_not_found(self):
        with pytest.raises(NotFoundError):
            quarantine_reviewed(fold_quarantines(stored()), MAILBOX, RUN,
                                ReviewIn(decision="retry"), ACTOR, NOW)  # fmt: skip


class TestRetryRunType:
    def test_the_quarantining_run_type_is_run_again(self):
        queued = RunQueued(run_id=RUN, job_id=JOB, mailbox_id=MAILBOX, run_type=RunType.TGZ_IMPORT,
                           request_id=uuid.uuid4(), runner_kind="tgz")  # fmt: skip
        assert retry_run_type(stored(queued)) == RunType.TGZ_IMPORT

    def test_an_import_by_default(self):
        assert retry_run_type([]) == RunType.PST_UPLOAD
