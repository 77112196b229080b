import pytest

from mailferry_contracts import Event
from mailferry_contracts.registry import REGISTRY
from mailferry_projector.summaries import MAX_LENGTH, summarize
from tests.fixtures.factories import CRED_DST, CRED_SRC, example

EVENT_TYPES = sorted(name for name, cls in REGISTRY.items() if issubclass(cls, Event))


class TestSummarize:
    @pytest.mark.parametrize("type_name", EVENT_TYPES)
    def test_every_event_type_reads_as_a_sentence(self, type_name):
        text = summarize(example(type_name))
        assert text != type_name
        assert 0 < len(text) <= MAX_LENGTH

    @pytest.mark.parametrize("type_name", EVENT_TYPES)
    def test_no_summary_shows_a_credential_reference(self, type_name):
        text = summarize(example(type_name))
        assert CRED_SRC not in text
        assert CRED_DST not in text

    @pytest.mark.parametrize(
        ("type_name", "expected"),
        [
            ("JobCreated", "created the migration job for example.com (ticket DESK-42)"),
            ("MailboxesImported", "imported 1 mailbox from CSV (batch 1/1)"),
            ("SyncRequested", "requested a initial sync of 1 mailbox"),
            ("PreflightRequested", "requested a preflight of all mailboxes"),
            ("PhaseChanged", "phase discovered -> preflight: preflight"),
            ("GateOverridden", "overrode the gate to ready_for_dns: customer accepted the loss"),
            ("UploadStored", None),
            ("UserLoggedIn", f"logged in with password (session {'5e' * 16})"),
            ("UserLoggedOut", f"logged out (session {'5e' * 16})"),
            ("UserLoginFailed", "failed to log in: wrong password"),
            ("MailboxVerified", "verified: 10 of 10 messages at the destination (100.0%)"),
        ],
        ids=lambda v: str(v)[:20],
    )
    def test_examples(self, type_name, expected):
        text = summarize(example(type_name))
        if expected is None:
            assert text.startswith("uploaded alice.pst (pst, 1.0 KiB)")
        else:
            assert text == expected

    def test_a_long_remark_is_cut(self):
        event = example("JobClosed").model_copy(update={"reason": "x" * 2000})
        assert len(summarize(event)) == MAX_LENGTH
