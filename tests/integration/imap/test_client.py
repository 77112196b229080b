"""The engine against a server that offers the bare minimum.

No LITERAL+ (APPEND waits for each continuation), no SASL-IR, no LIST-EXTENDED/LIST-STATUS
(plain LIST, then pipelined STATUS), no STATUS=SIZE (sizes summed from FETCH), no CONDSTORE.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailferry_devstack.corpus import SMALL
from mailferry_devstack.dovecot import DovecotOptions, DovecotServer
from mailferry_imap import SyncOptions, preflight, sync_mailbox, verify_mailbox
from mailferry_imap.client import ImapClient
from tests.fixtures.dovecot_pair import DovecotPair, MailboxPair, endpoint, new_user

pytestmark = pytest.mark.integration

MINIMAL = "imap_capability = IMAP4rev1 ID NAMESPACE UIDPLUS QUOTA\n"


@pytest.fixture(scope="module")
def minimal_server() -> Iterator[DovecotServer]:
    with (
        tempfile.TemporaryDirectory(prefix="mf-dovecot-") as tmp,
        DovecotServer(Path(tmp) / "minimal", DovecotOptions(extra_config=MINIMAL)) as server,
    ):
        yield server


@pytest.fixture
def minimal_pair(minimal_server) -> MailboxPair:
    """Two users of the minimal server, as source and destination."""
    servers = DovecotPair(minimal_server, minimal_server)
    return MailboxPair(servers, new_user(minimal_server), new_user(minimal_server))


class TestMinimalServer:
    async def test_capabilities_are_what_the_server_says_after_login(self, minimal_pair):
        client = await ImapClient.connect(minimal_pair.source(), "source")
        try:
            assert not client.conn.has("LITERAL+")
            assert not client.conn.has("LIST-STATUS")
            assert client.conn.has("NAMESPACE")
        finally:
            await client.logout()

    async def test_a_copy_works_with_synchronising_literals_and_plain_list(self, minimal_pair):
        minimal_pair.fill_source(SMALL)
        source = minimal_pair.source().model_copy(update={"auth": "plain"})
        report = await sync_mailbox(source, minimal_pair.destination(), SyncOptions(automap=False))
        assert report.status == "success", report.error_message
        assert report.stats.transferred == 300
        assert minimal_pair.read_destination().counts() == minimal_pair.read_source().counts()
        again = await sync_mailbox(source, minimal_pair.destination(), SyncOptions(automap=False))
        assert again.stats.transferred == 0

    async def test_preflight_sums_sizes_without_status_size(self, minimal_pair):
        summary = minimal_pair.fill_source(SMALL)
        report = await preflight(minimal_pair.source(), minimal_pair.destination())
        assert report.source_bytes >= summary.total_bytes
        verify = await verify_mailbox(minimal_pair.source(), minimal_pair.destination())
        assert verify.source_messages == 300


class TestConnectionDetails:
    async def test_special_use_and_namespace_are_read(self, mailbox_pair):
        client = await ImapClient.connect(mailbox_pair.destination(), "destination")
        try:
            entries, _ = await client.list_folders()
            uses = {entry.name: entry.special_use for entry in entries}
            assert uses["Sent Items"] == "\\sent"
            assert (await client.namespace()).delimiter == "/"
        finally:
            await client.logout()

    async def test_a_folder_name_with_8bit_characters_is_created_and_selected(self, dovecot_pair):
        user = new_user(dovecot_pair.destination)
        client = await ImapClient.connect(endpoint(dovecot_pair.destination, user), "destination")
        try:
            from mailferry_imap.utf7 import encode_mutf7

            raw = encode_mutf7("Überweisungen/2024 & Co")
            assert await client.create(raw)
            assert not await client.create(raw)
            info = await client.select(raw)
            assert info.exists == 0
            assert info.uidvalidity
        finally:
            await client.logout()

    async def test_uid_search(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        client = await ImapClient.connect(mailbox_pair.source(), "source")
        try:
            info = await client.select("Drafts")
            everything = await client.uid_search()
            drafts = await client.uid_search(b"DRAFT")
            assert len(everything) == info.exists == 7
            assert drafts == everything
            assert await client.uid_search(b"FLAGGED") == []
        finally:
            await client.logout()
