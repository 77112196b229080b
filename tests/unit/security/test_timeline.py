from mailferry_api.audit.timeline import summary, timeline_line
from mailferry_contracts.users import UserCreated
from tests.fixtures.factories import EXAMPLES, envelope_of, example


def test_a_summary_shows_no_credential_reference_and_no_hash():
    imported = summary(envelope_of(example("MailboxesImported")))
    assert "cred:" not in imported
    assert "mailboxes=[1]" in imported
    created = summary(envelope_of(UserCreated(**EXAMPLES["UserCreated"])))
    assert "argon2" not in created
    assert "email=admin@example.com" in created


def test_a_line_names_who_from_where():
    line = timeline_line(12, envelope_of(example("JobNotesUpdated")))
    assert "#12" in line
    assert "tech@example.com (technician) from 10.0.0.1 [t]" in line


def test_a_login_reads_as_who_from_where_and_its_session():
    line = timeline_line(7, envelope_of(example("UserLoggedIn")))
    assert "UserLoggedIn" in line
    assert "tech@example.com (technician) from 10.0.0.1" in line
    assert f"session_id={'5e' * 16} method=password" in line
