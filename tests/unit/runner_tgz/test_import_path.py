import pytest

from mailferry_contracts.common import ServerSettings
from mailferry_runner_tgz.import_path import choose_import, same_host
from mailferry_runner_tgz.zmmailbox import SshTarget

CARBONIO = SshTarget("root", "mail.new.example", 22)
SAME = ServerSettings(host="MAIL.new.example.", port=993)
OTHER = ServerSettings(host="imap.other.example", port=143)


@pytest.mark.parametrize(
    ("choice", "carbonio", "destination", "kind", "says"),
    [
        ("auto", None, SAME, "imap", "MIGRATION_CARBONIO_SSH is not set"),
        ("auto", CARBONIO, SAME, "carbonio", "is the job's destination host"),
        ("auto", CARBONIO, OTHER, "imap", "the job's destination is imap.other.example"),
        ("imap", CARBONIO, SAME, "imap", "MIGRATION_TGZ_IMPORT=imap"),
        ("carbonio", CARBONIO, OTHER, "carbonio", "MIGRATION_TGZ_IMPORT=carbonio"),
    ],
    ids=["auto-no-ssh", "auto-same-host", "auto-other-host", "forced-imap", "forced-carbonio"],
)
def test_which_path_and_why(choice, carbonio, destination, kind, says):
    path = choose_import(choice, carbonio, destination)
    assert path.kind == kind
    assert says in path.reason


def test_forcing_carbonio_without_ssh_is_an_error():
    with pytest.raises(ValueError, match="MIGRATION_CARBONIO_SSH"):
        choose_import("carbonio", None, SAME)


def test_hosts_compare_without_case_or_trailing_dot():
    assert same_host("Mail.Example.com.", "mail.example.com")
    assert not same_host("mail.example.com", "mail2.example.com")
