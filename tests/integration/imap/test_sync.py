import asyncio
import imaplib
from dataclasses import replace

import pytest

from mailferry_devstack.corpus import SMALL, generate_new
from mailferry_devstack.corpus_io import server_name
from mailferry_devstack.dovecot import DovecotServer
from mailferry_imap import MemoryStateStore, Progress, SyncOptions, sync_mailbox
from tests.fixtures.dovecot_pair import EXCHANGE_NAMES, MailboxPair, by_folder, endpoint, new_user
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.integration


async def copy(pair: MailboxPair, options: SyncOptions | None = None, **kwargs):
    return await sync_mailbox(pair.source(), pair.destination(), options, **kwargs)


class TestInitialCopy:
    async def test_every_message_arrives_with_its_flags_keywords_and_internal_date(
        self, mailbox_pair
    ):
        summary = mailbox_pair.fill_source(SMALL)
        report = await copy(mailbox_pair)
        assert report.status == "success", report.error_message
        assert report.stats.transferred == summary.total_messages == 300
        source = by_folder(mailbox_pair.read_source(), EXCHANGE_NAMES)
        destination = by_folder(mailbox_pair.read_destination())
        assert destination == source

    async def test_merged_folders_are_summed_and_hard_cases_are_all_copied(self, mailbox_pair):
        summary = mailbox_pair.fill_source(SMALL)
        report = await copy(mailbox_pair)
        counts = mailbox_pair.read_destination().counts()
        assert counts["Sent Items"] == summary.messages["Sent"] + summary.messages["Отправленные"]
        assert report.stats.no_message_id == summary.kinds["nomsgid"] == 4
        assert report.stats.duplicates >= 2
        sent = next(f for f in report.folders if f.destination == "Sent Items")
        assert sorted(sent.sources) == ["Sent", "Отправленные"]

    async def test_a_second_run_copies_nothing_with_or_without_state(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        state = MemoryStateStore()
        await copy(mailbox_pair, state=state)
        with_state = await copy(mailbox_pair, state=state)
        without_state = await copy(mailbox_pair)
        assert with_state.stats.transferred == without_state.stats.transferred == 0
        assert with_state.stats.skipped == without_state.stats.skipped == 300
        assert all(folder.unchanged for folder in with_state.folders)
        assert not any(folder.unchanged for folder in without_state.folders)
        assert sum(mailbox_pair.read_destination().counts().values()) == 300


class TestDelta:
    async def test_50_new_messages_are_copied_exactly_then_nothing(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        state = MemoryStateStore()
        await copy(mailbox_pair, state=state)
        added = mailbox_pair.append_new(50)
        delta = await copy(mailbox_pair, state=state)
        again = await copy(mailbox_pair, state=state)
        assert added.total_messages == 50
        assert delta.stats.transferred == 50
        assert again.stats.transferred == 0
        source = by_folder(mailbox_pair.read_source(), EXCHANGE_NAMES)
        assert by_folder(mailbox_pair.read_destination()) == source

    async def test_only_changed_folders_are_compared(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        state = MemoryStateStore()
        await copy(mailbox_pair, state=state)
        mailbox_pair.append_source([replace(generate_new(1)[0], folder="Archive/2024")])
        delta = await copy(mailbox_pair, state=state)
        compared = [f.destination for f in delta.folders if not f.unchanged]
        assert compared == ["Archive/2024"]
        assert delta.stats.transferred == 1

    async def test_flag_changes_at_the_source_reach_the_destination(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        state = MemoryStateStore()
        await copy(mailbox_pair, state=state)
        server, user = mailbox_pair.servers.source, mailbox_pair.source_user
        with imaplib.IMAP4(server.host, server.port) as client:
            client.login(user.name, user.password)
            client.select("INBOX")
            client.store("1:5", "+FLAGS", "(\\Flagged $Important)")
            client.logout()
        delta = await copy(mailbox_pair, state=state)
        inbox = next(f for f in delta.folders if f.destination == "INBOX")
        assert inbox.flags_updated == 5
        source = by_folder(mailbox_pair.read_source(), EXCHANGE_NAMES)
        assert by_folder(mailbox_pair.read_destination())["INBOX"] == source["INBOX"]


class TestDryRun:
    async def test_nothing_is_copied_and_the_plan_is_reported(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        report = await copy(mailbox_pair, SyncOptions(dry_run=True))
        assert report.dry_run
        assert report.stats.transferred == 0
        assert report.planned == 300
        destination = mailbox_pair.read_destination().counts()
        assert sum(destination.values()) == 0
        assert "Archive" not in destination


class TestFolderRules:
    async def test_maps_and_excludes(self, mailbox_pair):
        summary = mailbox_pair.fill_source(SMALL)
        options = SyncOptions(
            folder_map={"Archive": "Old/Archive", "Junk": "Spam"},
            exclude_folders=["Trash", "Lists"],
        )
        report = await copy(mailbox_pair, options)
        counts = mailbox_pair.read_destination().counts()
        assert counts["Old/Archive"] == summary.messages["Archive"]
        assert counts["Old/Archive/2024"] == summary.messages["Archive/2024"]
        assert counts["Spam"] == summary.messages["Junk"]
        assert counts["Deleted Items"] == 0
        assert "Lists/debian.devel" not in counts
        excluded = summary.messages["Trash"] + summary.messages["Lists/debian.devel"]
        assert report.stats.transferred == 300 - excluded

    async def test_includes(self, mailbox_pair):
        summary = mailbox_pair.fill_source(SMALL)
        report = await copy(mailbox_pair, SyncOptions(include_folders=["INBOX"]))
        assert report.stats.transferred == summary.messages["INBOX"]


class TestNamespaces:
    async def test_a_courier_style_source_lands_in_a_slash_destination(
        self, dovecot_prefixed: DovecotServer, dovecot_pair
    ):
        source_user = new_user(dovecot_prefixed)
        target_user = new_user(dovecot_pair.destination)
        from mailferry_devstack.corpus import generate
        from mailferry_devstack.corpus_io import write_maildir

        summary = write_maildir(
            dovecot_prefixed.maildir(source_user.name),
            generate(SMALL),
            (dovecot_prefixed.mail_uid, dovecot_prefixed.mail_gid),
            separator=".",
        )
        report = await sync_mailbox(
            endpoint(dovecot_prefixed, source_user), endpoint(dovecot_pair.destination, target_user)
        )
        assert report.status == "success", report.error_message
        counts = MailboxPair(dovecot_pair, source_user, target_user).read_destination().counts()
        assert counts["Archive/2024"] == summary.messages["Archive/2024"]
        assert counts["Entrées/Été"] == summary.messages["Entrées/Été"]
        assert counts["Lists/debian_devel"] == summary.messages["Lists/debian.devel"]
        assert counts["Sent Items"] == summary.messages["Sent"] + summary.messages["Отправленные"]
        assert not any(name.startswith("INBOX.") for name in counts)
        assert server_name("Archive/2024", "INBOX.", ".") == "INBOX.Archive.2024"


class TestConnections:
    async def test_never_more_than_four_sessions_per_server(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        report = await copy(mailbox_pair)
        for server, user in (
            (mailbox_pair.servers.source, mailbox_pair.source_user),
            (mailbox_pair.servers.destination, mailbox_pair.destination_user),
        ):
            # Dovecot logs through its own process: wait until the workers' logins are written.
            def logged_sessions(s=server, u=user):
                found = s.sessions(u.name)
                return found if found.total > 1 else None

            stats = await wait_for(logged_sessions, what="the workers' logins in the Dovecot log")
            assert stats is not None
            assert stats.peak <= 4
        assert report.stats.transferred == 300

    async def test_a_lower_limit_is_honoured(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        report = await copy(mailbox_pair, SyncOptions(max_connections=1))
        assert report.stats.transferred == 300
        assert mailbox_pair.servers.source.sessions(mailbox_pair.source_user.name).peak == 1
        assert (
            mailbox_pair.servers.destination.sessions(mailbox_pair.destination_user.name).peak == 1
        )


class TestCallbacks:
    async def test_progress_reaches_the_total_and_logs_hold_no_secret(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        ticks: list[Progress] = []
        lines: list[str] = []
        trace: list[str] = []
        await copy(mailbox_pair, progress=ticks.append, log=lines.append, trace=trace.append)
        assert ticks[-1].done == ticks[-1].total == 300
        assert ticks[-1].bytes_done == ticks[-1].bytes_total > 0
        assert any("Sent Items" in line for line in lines)
        assert any(" LOGIN " in line for line in trace)
        secrets = (mailbox_pair.source_user.password, mailbox_pair.destination_user.password)
        for line in lines + trace:
            assert not any(secret in line for secret in secrets)


class TestInterruptedRun:
    async def test_a_run_cancelled_midway_is_finished_by_the_next_without_duplicates(
        self, mailbox_pair
    ):
        """As when a runner is killed: APPENDs in flight are lost or stored, never doubled."""
        mailbox_pair.fill_source(SMALL)
        state = MemoryStateStore()
        halfway = asyncio.Event()

        def tick(progress: Progress) -> None:
            if progress.done >= 120:
                halfway.set()

        first = asyncio.create_task(copy(mailbox_pair, state=state, progress=tick))
        await asyncio.wait_for(halfway.wait(), timeout=60)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        assert 0 < sum(mailbox_pair.read_destination().counts().values()) < 300
        await copy(mailbox_pair, state=state)
        source = by_folder(mailbox_pair.read_source(), EXCHANGE_NAMES)
        assert by_folder(mailbox_pair.read_destination()) == source
