"""Pure parts of the runner machinery: throttle, retry policy, lease arithmetic, redaction,
selection."""

import base64
import uuid

import pytest

from mailferry_bus.runners import Redactor, RetryPolicy, Throttle, select
from mailferry_bus.runners.leases import Holder, host_id, is_free, slot_keys
from mailferry_contracts.common import RunnerKind, RunType, SourceType, SyncMode
from mailferry_contracts.job_view import JobView
from mailferry_contracts.jobs import RetryItem, RetryRequested, SyncRequested
from tests.fixtures.factories import SPEC


class TestThrottle:
    def test_at_most_one_per_interval_and_the_last_is_kept(self):
        throttle: Throttle[int] = Throttle(0.25)
        assert throttle.offer(1, now=0.0) == 1
        assert throttle.offer(2, now=0.1) is None
        assert throttle.offer(3, now=0.2) is None
        assert throttle.due(now=0.2) is None
        assert throttle.due(now=0.3) == 3
        assert throttle.offer(4, now=0.6) == 4

    def test_flush_releases_the_held_item(self):
        throttle: Throttle[int] = Throttle(1.0)
        throttle.offer(1, now=0.0)
        throttle.offer(2, now=0.1)
        assert throttle.flush() == 2
        assert throttle.flush() is None


class TestRetryPolicy:
    @pytest.mark.parametrize("error_class", ["connection_failed", "timeout", "throttled"])
    def test_transient_classes_back_off_exponentially(self, error_class):
        policy = RetryPolicy(max_attempts=4, base_delay_s=5, max_delay_s=12)
        assert [policy.retry_in(error_class, a) for a in (1, 2, 3, 4)] == [5, 10, 12, None]

    @pytest.mark.parametrize(
        "error_class", ["auth_failed_source", "over_quota", "tls_failed", None]
    )
    def test_definite_answers_are_never_retried(self, error_class):
        assert RetryPolicy().retry_in(error_class, 1) is None

    def test_exhausted_beyond_max_attempts(self):
        assert not RetryPolicy(max_attempts=3).exhausted(3)
        assert RetryPolicy(max_attempts=3).exhausted(4)


class TestLeaseArithmetic:
    def test_a_scope_has_limit_keys(self):
        assert slot_keys("job", "j1", 3) == ["job.j1.0", "job.j1.1", "job.j1.2"]

    def test_an_expired_or_unreadable_holder_is_free(self):
        assert is_free(None, now=10)
        assert is_free(Holder("r", "x", expires_at=10), now=10)
        assert not is_free(Holder("r", "x", expires_at=11), now=10)
        assert Holder.decode(b"garbage") is None

    def test_holder_round_trip(self):
        holder = Holder("r1", "run", 12.5)
        assert Holder.decode(holder.encode()) == holder

    def test_host_ids_are_kv_safe_and_case_insensitive(self):
        assert host_id("IMAP.Example.com") == host_id("imap.example.com")
        assert host_id("::1").isalnum()


class TestRedactor:
    def test_known_secrets_and_their_base64_are_masked(self):
        redact = Redactor()
        redact.add(["s3cret-pw", None])
        encoded = base64.b64encode(b"s3cret-pw").decode()
        assert "s3cret-pw" not in redact(f"pw s3cret-pw and {encoded}")
        assert encoded not in redact(f"pw {encoded}")

    @pytest.mark.parametrize(
        "line",
        [
            "Sending: 2 LOGIN alice hunter22",
            'a1 LOGIN "alice" "hunter22"',
            "3 AUTHENTICATE PLAIN hunter22",
            "--password1 hunter22",
            "password=hunter22",
        ],
    )
    def test_credential_shaped_arguments_are_masked(self, line):
        assert "hunter22" not in Redactor()(line)

    def test_prose_about_logins_survives(self):
        line = "Host1 failure: Error login on [127.0.0.1] with user [alice] auth [LOGIN]: 2 NO"
        assert Redactor()(line) == line


class TestSelection:
    def _view(self) -> JobView:
        view = JobView()
        pst = SPEC.model_copy(update={"mailbox_id": uuid.uuid4(), "source_type": SourceType.PST})
        view.mailboxes = {SPEC.mailbox_id: SPEC, pst.mailbox_id: pst}
        return view

    def test_all_mailboxes_of_the_kind(self):
        request = SyncRequested(request_id=uuid.uuid4(), mode=SyncMode.DELTA)
        [selected] = select(self._view(), request, RunnerKind.IMAP)
        assert (selected.spec, selected.run_type) == (SPEC, "delta")

    def test_unknown_ids_are_skipped(self):
        request = SyncRequested(
            request_id=uuid.uuid4(), mode=SyncMode.INITIAL, mailbox_ids=[uuid.uuid4()]
        )
        assert select(self._view(), request, RunnerKind.IMAP) == []

    def test_retry_items_keep_their_run_type(self):
        item = RetryItem(mailbox_id=SPEC.mailbox_id, run_type=RunType.VERIFY)
        request = RetryRequested(request_id=uuid.uuid4(), scope="one", items=[item, item])
        [selected] = select(self._view(), request, RunnerKind.IMAP)
        assert selected.run_type == "verify"
