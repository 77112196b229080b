"""The test servers themselves: users, quota and sessions change at run time."""

import imaplib

import pytest

from mailferry_devstack.corpus_io import read_mailbox
from tests.fixtures.dovecot_pair import new_user
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.integration


def quota_kib(server, user):
    with imaplib.IMAP4(server.host, server.port) as client:
        client.login(user.name, user.password)
        _, data = client.getquotaroot("INBOX")
        client.logout()
    return data[1]


class TestDovecotServer:
    def test_a_quota_can_be_changed_and_removed_at_run_time(self, dovecot_pair):
        server = dovecot_pair.destination
        user = new_user(server, quota_bytes=5 * 1024 * 1024)
        assert quota_kib(server, user) == [b'"User quota" (STORAGE 0 5120)']
        user = server.set_quota(user.name, 2 * 1024 * 1024)
        assert quota_kib(server, user) == [b'"User quota" (STORAGE 0 2048)']
        user = server.set_quota(user.name, None)
        assert quota_kib(server, user) == [None]

    def test_a_removed_user_can_no_longer_log_in(self, dovecot_pair):
        server = dovecot_pair.source
        user = new_user(server)
        read_mailbox(server.host, server.port, user.name, user.password)
        server.remove_user(user.name)
        with imaplib.IMAP4(server.host, server.port) as client, pytest.raises(imaplib.IMAP4.error):
            client.login(user.name, user.password)
        assert not user.home.exists()

    async def test_sessions_are_counted_from_the_log(self, dovecot_pair):
        server = dovecot_pair.source
        user = new_user(server)
        first = imaplib.IMAP4(server.host, server.port)
        first.login(user.name, user.password)
        read_mailbox(server.host, server.port, user.name, user.password)
        first.logout()
        # Dovecot's log process writes asynchronously: wait for both logins to reach the file.
        stats = await wait_for(
            lambda: server.sessions(user.name) if server.sessions(user.name).total == 2 else None,
            what="two logins in the log",
        )
        assert stats is not None
        assert stats.peak == 2

    def test_special_use_names_differ_per_style(self, mailbox_pair):
        source = mailbox_pair.read_source().folders
        destination = mailbox_pair.read_destination().folders
        assert {"Sent", "Trash", "Junk", "Drafts"} <= set(source)
        assert {"Sent Items", "Deleted Items", "Junk E-mail", "Drafts"} <= set(destination)

    def test_the_courier_style_server_lists_with_prefix_and_dots(self, dovecot_prefixed):
        user = new_user(dovecot_prefixed)
        content = read_mailbox(
            dovecot_prefixed.host, dovecot_prefixed.port, user.name, user.password
        )
        assert content.separator == "."
        assert "INBOX.Sent" in content.folders
