"""zmmailbox failures and the getAllFolders table."""

import pytest

from mailferry_runner_tgz.diagnosis import classify_exit, parse_folder_counts, parse_folder_rows


def classify(status, *stderr, side="source"):
    return classify_exit(status, list(stderr), run_as="zimbra", host="mail", side=side)


SU_NO_USER = "su: user zimbra does not exist or the user entry does not contain all the fields"
READ_TIMEOUT = (
    "ERROR: zclient.IO_ERROR (invoke Read timed out, server: mail) "
    "(cause: java.net.SocketTimeoutException Read timed out)"
)


@pytest.mark.parametrize(
    ("status", "stderr", "error_class"),
    [
        (127, ["-bash: line 1: zmmailbox: command not found"], "tool_missing"),
        (127, [], "tool_missing"),
        (1, ["sh: 1: zmmailbox: not found"], "tool_missing"),
        (1, [SU_NO_USER], "tool_missing"),
        (1, ["su: must be run from a terminal"], "auth_failed_source"),
        (1, ["su: Authentication failure"], "auth_failed_source"),
        (2, ["ERROR: account.NO_SUCH_ACCOUNT (no such account: x@y)"], "invalid_input"),
        (2, ["ERROR: account.AUTH_FAILED (authentication failed)"], "auth_failed_source"),
        (2, ["ERROR: service.PERM_DENIED (permission denied)"], "auth_failed_source"),
        (2, ["ERROR: mail.QUOTA_EXCEEDED (mailbox exceeded quota)"], "over_quota"),
        (2, [READ_TIMEOUT], "timeout"),
        (2, ["ERROR: zclient.IO_ERROR (invoke Connection refused)"], "connection_failed"),
        (2, ["ERROR: service.UNAVAILABLE (service unavailable)"], "connection_failed"),
        (2, ["ERROR: formatter.INVALID_FORMAT (invalid format)"], "file_not_supported"),
        (2, ["ERROR: service.FAILURE (system failure: boom)"], "internal"),
        (1, ["Exception in thread main java.lang.OutOfMemoryError"], "internal"),
        (None, [], "internal"),
    ],
)  # fmt: skip
def test_classify_exit(status, stderr, error_class):
    assert classify(status, *stderr).error_class == error_class


def test_the_message_names_the_host_the_error_line_and_the_exit():
    failure = classify(
        2, "some java noise", "ERROR: account.NO_SUCH_ACCOUNT (no such account: x@y)", ""
    )
    assert failure.message == (
        "zmmailbox on mail: ERROR: account.NO_SUCH_ACCOUNT (no such account: x@y) (exit 2)"
    )


def test_auth_on_the_target_side():
    assert classify(2, "ERROR: account.AUTH_FAILED (x)", side="target").error_class == (
        "auth_failed_target"
    )


def test_a_signal_says_so():
    assert "killed by a signal" in classify(None).message


GET_ALL_FOLDERS = """\
        Id  View      Unread   Msg Count  Path
----------  ----  ----------  ----------  ----------
         1  conv           0           0  /
        16  docu           0           1  /Briefcase
        10  appo           0           2  /Calendar
         7  cont           0           4  /Contacts
        13  cont           0         216  /Emailed Contacts
         2  mess          12         520  /Inbox
       258  mess           0           3  /Inbox/Projects/Q3: *plan*?
       259  mess           0           1  /Ärger 日本 mit Leerzeichen
       300  conv           0           0  /Searches/unread (is:unread)
       301  mess           0           7  /Shared (Bob Builder:2)
         5  mess           0          22  /Sent
"""


def test_parse_folder_counts():
    counts = parse_folder_counts(GET_ALL_FOLDERS)
    assert counts["/Inbox"] == 520
    assert counts["/Emailed Contacts"] == 216
    assert counts["/Inbox/Projects/Q3: *plan*?"] == 3
    assert counts["/Ärger 日本 mit Leerzeichen"] == 1
    assert counts["/Shared"] == 7
    assert counts["/Shared (Bob Builder:2)"] == 7
    assert "Path" not in counts
    assert len(counts) == 13


def test_a_real_folder_named_like_a_suffix_is_not_overridden():
    table = "  1  mess  0  5  /A (b)\n  2  mess  0  9  /A\n"
    assert parse_folder_counts(table) == {"/A (b)": 5, "/A": 9}


def test_parse_folder_rows_keeps_views_and_marks_linked_folders():
    rows = {row.path: row for row in parse_folder_rows(GET_ALL_FOLDERS)}
    assert (rows["/Inbox"].view, rows["/Inbox"].unread, rows["/Inbox"].count) == ("mess", 12, 520)
    assert rows["/Contacts"].view == "cont"
    assert rows["/Shared (Bob Builder:2)"].linked
    assert not rows["/Inbox/Projects/Q3: *plan*?"].linked
    assert rows["/Inbox/Projects/Q3: *plan*?"].parts == ("Inbox", "Projects", "Q3: *plan*?")
    assert rows["/"].parts == ()
