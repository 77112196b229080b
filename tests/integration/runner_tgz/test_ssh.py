"""zmmailbox over a real sshd: export streamed to disk, import over SFTP, counts, failures."""

import asyncio
import hashlib
import io
import os
import pwd

import asyncssh
import pytest

from mailferry_runner_tgz.adapters.ssh import RemoteError, ZimbraHost
from mailferry_runner_tgz.archive import read_messages
from mailferry_runner_tgz.outcome import zimbra_outcome
from mailferry_runner_tgz.zmmailbox import parse_ssh_target
from tests.fixtures.tgz_generator import TgzWriter, eml, sample_mailbox
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.integration

ANN = "ann@example.com"
BOB = "bob@example.com"


def clean_archive() -> bytes:
    buffer = io.BytesIO()
    writer = TgzWriter(buffer)
    for path in ("Inbox", "Inbox/Sub", "Sent"):
        writer.folder(path)
    for n in range(5):
        writer.message("Inbox", eml(f"in {n}", n), subject=f"in {n}", flag_str="u" * (n % 2))
    writer.message("Inbox/Sub", eml("sub", 10), subject="sub")
    writer.message("Sent", eml("sent", 11), subject="sent", flag_str="s")
    writer.contact("Contacts", "Christine", "c@example.com")
    writer.close()
    return buffer.getvalue()


def sample_archive() -> bytes:
    buffer = io.BytesIO()
    sample_mailbox(buffer)
    return buffer.getvalue()


def inventory_of(data: bytes):
    return read_messages(io.BytesIO(data))[1]


class TestExport:
    async def test_the_archive_streams_into_the_file_unchanged(self, zimbra_server, tmp_path):
        expected = zimbra_server.add_account(ANN, sample_archive())
        host = ZimbraHost(zimbra_server.access(), "source")
        received: list[int] = []

        exported = await host.export_mailbox(ANN, tmp_path / "ann.tgz", received.append)

        assert received[-1] == exported.size
        on_disk = hashlib.sha256((tmp_path / "ann.tgz").read_bytes()).hexdigest()
        assert exported.sha256 == on_disk == expected
        assert not (tmp_path / "ann.tgz.part").exists()
        assert exported.command_line == (
            "zmmailbox -z -m ann@example.com -t 0 getRestURL '/?fmt=tgz'"
        )
        assert zimbra_server.calls() == [["-z", "-m", ANN, "-t", "0", "getRestURL", "/?fmt=tgz"]]

    async def test_an_unknown_account_is_invalid_input_with_stderr_in_the_log(
        self, zimbra_server, tmp_path
    ):
        log: list[str] = []
        host = ZimbraHost(zimbra_server.access(), "source", log.append)

        with pytest.raises(RemoteError) as caught:
            await host.export_mailbox("nobody@example.com", tmp_path / "x.tgz")

        assert caught.value.error_class == "invalid_input"
        assert "NO_SUCH_ACCOUNT" in caught.value.message
        assert log == ["ERROR: account.NO_SUCH_ACCOUNT (no such account: nobody@example.com)"]
        assert not (tmp_path / "x.tgz").exists()
        assert not (tmp_path / "x.tgz.part").exists()

    async def test_an_export_that_hangs_is_a_timeout(self, zimbra_server, tmp_path):
        """The stand-in blocks opening a FIFO nobody writes; the test unblocks it afterwards."""
        zimbra_server.add_account(ANN)
        fifo = zimbra_server.home / ANN / "export.tgz"
        fifo.unlink()
        os.mkfifo(fifo)
        host = ZimbraHost(zimbra_server.access(command_timeout=3.0), "source")
        export = asyncio.create_task(host.export_mailbox(ANN, tmp_path / "x.tgz"))
        try:
            await wait_for(zimbra_server.calls, timeout=30, what="the stand-in started")
            with pytest.raises(RemoteError) as caught:
                await export
        finally:
            # Blocks until the stand-in opens its end, then lets it finish and exit.
            await asyncio.to_thread(lambda: os.close(os.open(fifo, os.O_WRONLY)))

        assert caught.value.error_class == "timeout"
        assert not (tmp_path / "x.tgz.part").exists()

    @pytest.mark.parametrize(
        "account",
        ["-x", "ann example", "ann'; touch /tmp/pwned; '", "ann\nid", "$(id)", "`id`", ""],
        ids=["option", "space", "quote", "newline", "dollar", "backtick", "empty"],
    )
    async def test_a_hostile_account_name_is_refused_before_any_ssh_command(
        self, zimbra_server, tmp_path, account
    ):
        host = ZimbraHost(zimbra_server.access(), "source")

        with pytest.raises(RemoteError) as caught:
            await host.export_mailbox(account, tmp_path / "x.tgz")

        assert caught.value.error_class == "invalid_input"
        assert zimbra_server.calls() == []

    async def test_the_name_is_checked_before_connecting(self, zimbra_server, tmp_path):
        closed = zimbra_server.access(target=parse_ssh_target("root@127.0.0.1:1"))

        with pytest.raises(RemoteError) as caught:
            await ZimbraHost(closed, "source").export_mailbox("-rf", tmp_path / "x.tgz")

        assert caught.value.error_class == "invalid_input"


class TestConnectionFailures:
    async def test_a_key_the_server_does_not_know_is_auth_failed_source(
        self, zimbra_server, sshd_server, tmp_path
    ):
        host = ZimbraHost(zimbra_server.access(sshd_server.stranger()), "source")

        with pytest.raises(RemoteError) as caught:
            await host.export_mailbox(ANN, tmp_path / "x.tgz")

        assert caught.value.error_class == "auth_failed_source"

    async def test_on_the_target_the_same_refusal_is_auth_failed_target(
        self, zimbra_server, sshd_server
    ):
        host = ZimbraHost(zimbra_server.access(sshd_server.stranger()), "target")

        with pytest.raises(RemoteError) as caught:
            await host.folder_counts(ANN)

        assert caught.value.error_class == "auth_failed_target"

    async def test_a_closed_port_is_connection_failed(self, zimbra_server, tmp_path):
        closed = zimbra_server.access(target=parse_ssh_target("root@127.0.0.1:1"))

        with pytest.raises(RemoteError) as caught:
            await ZimbraHost(closed, "source").export_mailbox(ANN, tmp_path / "x.tgz")

        assert caught.value.error_class == "connection_failed"
        assert "127.0.0.1:1" in caught.value.message

    async def test_a_host_key_other_than_the_known_one_is_refused(self, zimbra_server, tmp_path):
        other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
        known_hosts = tmp_path / "known_hosts"
        known_hosts.write_text(f"[127.0.0.1]:{zimbra_server.login.port} {other}")
        host = ZimbraHost(zimbra_server.access(known_hosts_file=known_hosts), "source")

        with pytest.raises(RemoteError) as caught:
            await host.folder_counts(ANN)

        assert caught.value.error_class == "connection_failed"
        assert "host key" in caught.value.message
        assert zimbra_server.calls() == []


class TestToolMissing:
    async def test_no_zmmailbox_on_the_path_is_tool_missing(self, sshd_server, zimbra_server):
        bare = sshd_server.login({"PATH": "/usr/bin:/bin"})
        host = ZimbraHost(zimbra_server.access(bare), "source")

        with pytest.raises(RemoteError) as caught:
            await host.folder_counts(ANN)

        assert caught.value.error_class == "tool_missing"
        assert "zmmailbox not found" in caught.value.message

    async def test_su_to_a_user_without_zmmailbox_is_tool_missing(self, zimbra_server):
        """Runs the real ``su - USER -c '...'``: the login shell of that user has its own PATH."""
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("needs a second Unix user with a login shell (postgres)")
        host = ZimbraHost(zimbra_server.access(run_as=user.pw_name), "source")

        with pytest.raises(RemoteError) as caught:
            await host.folder_counts(ANN)

        assert caught.value.error_class == "tool_missing"
        assert "command not found" in caught.value.message

    async def test_su_to_a_unix_user_that_does_not_exist_is_tool_missing(self, zimbra_server):
        host = ZimbraHost(zimbra_server.access(run_as="mfnosuchuser"), "source")

        with pytest.raises(RemoteError) as caught:
            await host.folder_counts(ANN)

        assert caught.value.error_class == "tool_missing"
        assert "mfnosuchuser" in caught.value.message

    async def test_an_import_through_su_hands_the_upload_over_and_cleans_up(
        self, zimbra_server, tmp_path
    ):
        """Real ``chown USER ... && su - USER -c``; that user's login PATH has no zmmailbox."""
        try:
            user = pwd.getpwnam("postgres").pw_name
        except KeyError:
            pytest.skip("needs a second Unix user with a login shell (postgres)")
        archive = tmp_path / "ann.tgz"
        archive.write_bytes(clean_archive())
        host = ZimbraHost(zimbra_server.access(run_as=user), "target")

        with pytest.raises(RemoteError) as caught:
            await host.import_archive(BOB, archive)

        assert caught.value.error_class == "tool_missing"
        assert not list(zimbra_server.home.glob("mailferry-*"))


class TestImportAndVerify:
    async def test_an_import_is_verified_by_counting_afterwards(self, zimbra_server, tmp_path):
        archive = tmp_path / "ann.tgz"
        archive.write_bytes(clean_archive())
        zimbra_server.add_account(BOB)
        host = ZimbraHost(zimbra_server.access(), "target")

        command = await host.import_archive(BOB, archive)
        found = await host.folder_counts(BOB)

        assert "postRestURL '/?fmt=tgz&resolve=skip'" in command
        outcome = zimbra_outcome(inventory_of(archive.read_bytes()), found)
        assert outcome.status == "ok", outcome.lines()
        assert {f.source: (f.found, f.expected) for f in outcome.folders} == {
            "/Contacts": (1, 1),
            "/Inbox": (5, 5),
            "/Inbox/Sub": (1, 1),
            "/Sent": (1, 1),
        }
        assert not list(zimbra_server.home.glob("mailferry-*")), "the upload was not removed"

    async def test_a_successful_exit_with_items_left_out_is_partial(self, zimbra_server, tmp_path):
        """zmmailbox exits 0 although Zimbra skipped the Ver 11 and wrong-size items."""
        archive = tmp_path / "ann.tgz"
        archive.write_bytes(sample_archive())
        zimbra_server.add_account(BOB)
        host = ZimbraHost(zimbra_server.access(), "target")

        await host.import_archive(BOB, archive)
        outcome = zimbra_outcome(inventory_of(archive.read_bytes()), await host.folder_counts(BOB))

        assert outcome.status == "partial"
        short = {f.source: (f.found, f.expected) for f in outcome.folders if f.missing}
        assert short == {"/Inbox/Projects": (1, 3)}
        assert zimbra_server.items(BOB)["/Inbox/Bulk"] == 520

    async def test_a_reimport_with_resolve_skip_adds_nothing(self, zimbra_server, tmp_path):
        archive = tmp_path / "ann.tgz"
        archive.write_bytes(clean_archive())
        zimbra_server.add_account(BOB)
        host = ZimbraHost(zimbra_server.access(), "target")
        await host.import_archive(BOB, archive)
        before = zimbra_server.items(BOB)

        await host.import_archive(BOB, archive)

        first, second = zimbra_server.posts()
        assert second["added"] == {}
        assert second["skipped"] == first["added"]
        assert zimbra_server.items(BOB) == before
        outcome = zimbra_outcome(inventory_of(archive.read_bytes()), await host.folder_counts(BOB))
        assert outcome.status == "ok"

    async def test_exported_then_imported_round_trip(self, zimbra_server, tmp_path):
        zimbra_server.add_account(ANN, clean_archive())
        zimbra_server.add_account(BOB)
        source = ZimbraHost(zimbra_server.access(), "source")
        target = ZimbraHost(zimbra_server.access(), "target")

        exported = await source.export_mailbox(ANN, tmp_path / "ann.tgz")
        await target.import_archive(BOB, exported.path)

        outcome = zimbra_outcome(
            inventory_of(exported.path.read_bytes()), await target.folder_counts(BOB)
        )
        assert outcome.status == "ok"
        assert outcome.found == outcome.expected == 8
