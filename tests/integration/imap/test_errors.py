import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from mailferry_devstack.corpus import SMALL
from mailferry_devstack.ports import free_port
from mailferry_imap import Endpoint, SyncOptions, check_login, sync_mailbox
from tests.fixtures.dovecot_pair import MailboxPair, endpoint, new_user

pytestmark = pytest.mark.integration


class TestLogins:
    async def test_a_wrong_source_password_is_auth_failed_source(self, mailbox_pair):
        report = await sync_mailbox(
            mailbox_pair.source(password="wrong"), mailbox_pair.destination()
        )
        assert (report.status, report.error_class) == ("failed", "auth_failed_source")
        assert "AUTHENTICATIONFAILED" in report.error_message

    async def test_a_wrong_destination_password_is_auth_failed_target(self, mailbox_pair):
        report = await sync_mailbox(mailbox_pair.source(), mailbox_pair.destination(password="x"))
        assert (report.status, report.error_class) == ("failed", "auth_failed_target")

    async def test_an_8bit_password_goes_as_a_literal(self, dovecot_pair):
        user = dovecot_pair.source.add_user(f"u8{free_port()}", "pässwörd €")
        assert (await check_login(endpoint(dovecot_pair.source, user))).ok

    async def test_authenticate_plain(self, mailbox_pair):
        source = mailbox_pair.source().model_copy(update={"auth": "plain"})
        assert (await check_login(source)).ok


class TestConnections:
    async def test_a_closed_port_is_connection_failed(self, mailbox_pair):
        source = mailbox_pair.source(port=free_port())
        report = await sync_mailbox(source, mailbox_pair.destination())
        assert report.error_class == "connection_failed"
        target = mailbox_pair.destination(port=free_port())
        assert (await check_login(target, "destination")).error_class == "connection_failed"

    async def test_tls_against_a_plain_port_is_tls_failed(self, mailbox_pair):
        source = mailbox_pair.source(security="ssl", port=mailbox_pair.servers.source.port)
        report = await sync_mailbox(source, mailbox_pair.destination())
        assert report.error_class == "tls_failed"

    async def test_an_untrusted_certificate_is_tls_failed(self, mailbox_pair):
        result = await check_login(mailbox_pair.source(security="ssl", verify_tls=True))
        assert result.error_class == "tls_failed"
        assert "certificate" in result.error_message.lower()

    async def test_starttls_is_refused_by_a_server_without_tls(self, dovecot_prefixed):
        user = new_user(dovecot_prefixed)
        result = await check_login(endpoint(dovecot_prefixed, user, security="starttls"))
        assert result.error_class == "tls_failed"

    async def test_implicit_tls_and_starttls_copy_mail(self, mailbox_pair):
        mailbox_pair.fill_source(SMALL)
        report = await sync_mailbox(
            mailbox_pair.source(security="ssl"),
            mailbox_pair.destination(security="starttls"),
            SyncOptions(include_folders=["Drafts"]),
        )
        assert report.status == "success"
        assert report.stats.transferred == 7


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()
    writer.close()


async def _greets_then_stalls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] stand-in for a stuck server\r\n")
    line = await reader.readline()
    writer.write(line.split(b" ")[0] + b" OK [CAPABILITY IMAP4rev1 LITERAL+] Logged in\r\n")
    await reader.read()
    writer.close()


@pytest.fixture
async def stuck_server(request) -> AsyncIterator[int]:
    """A TCP server that misbehaves as the test asks (never greets, or stalls after login)."""
    server = await asyncio.start_server(request.param, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


class TestTimeouts:
    @pytest.mark.parametrize(
        "stuck_server",
        [_silent, _greets_then_stalls],
        indirect=True,
        ids=["no-greeting", "stalls-after-login"],
    )
    async def test_a_silent_server_is_timeout(self, stuck_server, mailbox_pair: MailboxPair):
        source = Endpoint(
            host="127.0.0.1", port=stuck_server, security="none", user="a", secret=SecretStr("b")
        )
        report = await sync_mailbox(source, mailbox_pair.destination(), SyncOptions(timeout=0.3))
        assert report.error_class == "timeout"


class TestQuota:
    async def test_a_tiny_destination_quota_is_over_quota_with_the_failed_messages(
        self, dovecot_pair
    ):
        pair = MailboxPair(
            dovecot_pair,
            new_user(dovecot_pair.source),
            new_user(dovecot_pair.destination, quota_bytes=2_000_000),
        )
        pair.fill_source(SMALL)
        report = await sync_mailbox(pair.source(), pair.destination(), SyncOptions(errors_max=10))
        assert report.error_class == "over_quota"
        assert report.status in ("partial", "failed")
        assert 0 < len(report.failures) <= 10
        assert {failure.error_class for failure in report.failures} == {"over_quota"}
        assert all("OVERQUOTA" in failure.detail for failure in report.failures)
        stored = sum(pair.read_destination().counts().values())
        assert stored == report.stats.transferred < 300
