import pytest

from mailferry_devstack.corpus import SMALL
from mailferry_imap import SyncOptions, preflight, sync_mailbox, verify_mailbox
from tests.fixtures.dovecot_pair import MailboxPair, new_user

pytestmark = pytest.mark.integration


class TestPreflight:
    async def test_reports_folders_sizes_quota_and_mapping(self, dovecot_pair):
        pair = MailboxPair(
            dovecot_pair,
            new_user(dovecot_pair.source),
            new_user(dovecot_pair.destination, quota_bytes=100_000_000),
        )
        summary = pair.fill_source(SMALL)
        report = await preflight(pair.source(), pair.destination())
        assert report.ok, report.error_message
        assert report.source_login.ok
        assert report.destination_login.ok
        folders = {folder.name: folder for folder in report.source_folders}
        assert folders["Entrées/Été"].messages == summary.messages["Entrées/Été"]
        assert folders["Sent"].special_use == "\\Sent"
        assert report.source_messages == 300
        assert report.source_bytes >= summary.total_bytes
        assert {f.name for f in report.destination_folders} >= {"INBOX", "Sent Items"}
        assert report.destination_quota is not None
        assert report.destination_quota.limit_bytes == pytest.approx(100_000_000, rel=0.01)
        mapping = {(line.source, line.destination, line.how) for line in report.mapping}
        assert ("Отправленные", "Sent Items", "name") in mapping
        assert ("Trash", "Deleted Items", "special-use") in mapping

    async def test_a_failed_login_still_reports_the_other_side(self, mailbox_pair):
        report = await preflight(mailbox_pair.source(password="nope"), mailbox_pair.destination())
        assert not report.ok
        assert report.error_class == "auth_failed_source"
        assert not report.source_login.ok
        assert report.destination_login.ok
        assert report.destination_folders

    async def test_a_destination_too_small_for_the_source_is_over_quota(self, dovecot_pair):
        pair = MailboxPair(
            dovecot_pair,
            new_user(dovecot_pair.source),
            new_user(dovecot_pair.destination, quota_bytes=5_000_000),
        )
        pair.fill_source(SMALL)
        report = await preflight(pair.source(), pair.destination())
        assert not report.ok
        assert report.error_class == "over_quota"


class TestVerify:
    async def test_before_a_copy_every_folder_shows_a_deficit(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        report = await verify_mailbox(mailbox_pair.source(), mailbox_pair.destination())
        assert report.ok
        assert report.destination_messages == 0
        assert report.ratio == 0
        assert {f.destination_folder for f in report.deficits} >= {"INBOX", "Sent Items"}

    async def test_after_a_copy_every_folder_is_complete_with_merged_sources_summed(
        self, mailbox_pair
    ):
        summary = mailbox_pair.fill_source(SMALL)
        await sync_mailbox(mailbox_pair.source(), mailbox_pair.destination())
        report = await verify_mailbox(mailbox_pair.source(), mailbox_pair.destination())
        assert report.ratio == 1.0
        assert report.deficits == []
        sent = next(f for f in report.folders if f.destination_folder == "Sent Items")
        assert sorted(sent.source_folders) == ["Sent", "Отправленные"]
        assert sent.source_messages == summary.messages["Sent"] + summary.messages["Отправленные"]
        assert sent.role == "sent"
        inbox = next(f for f in report.folders if f.destination_folder == "INBOX")
        assert inbox.role == "inbox"
        assert report.source_bytes > 0
        assert report.destination_bytes > 0

    async def test_verify_follows_the_folder_rules(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        options = SyncOptions(exclude_folders=["Trash"], folder_map={"Junk": "Spam"})
        await sync_mailbox(mailbox_pair.source(), mailbox_pair.destination(), options)
        report = await verify_mailbox(mailbox_pair.source(), mailbox_pair.destination(), options)
        assert report.ratio == 1.0
        names = {f.destination_folder for f in report.folders}
        assert "Spam" in names
        assert "Deleted Items" not in names

    async def test_a_wrong_password_is_reported(self, mailbox_pair):
        report = await verify_mailbox(mailbox_pair.source(), mailbox_pair.destination(password="x"))
        assert not report.ok
        assert report.error_class == "auth_failed_target"
