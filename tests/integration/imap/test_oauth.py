"""XOAUTH2 (imap_oauth sources) against Dovecot's oauth2 passdb.

Dovecot checks each token with an OAuth introspection endpoint; a small HTTP server plays the
identity provider and knows one good token.
"""

import json
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr

from mailferry_devstack.dovecot import DovecotOptions, DovecotServer
from mailferry_imap import Endpoint, check_login

pytestmark = pytest.mark.integration

GOOD_TOKEN = "ya29.good-token"
USER = "oauth-user"


class Introspection(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        active = parse_qs(body).get("token", [""])[0] == GOOD_TOKEN
        answer = {"active": True, "username": USER} if active else {"active": False}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: object) -> None:
        return None


@pytest.fixture(scope="module")
def oauth_server() -> Iterator[DovecotServer]:
    provider = ThreadingHTTPServer(("127.0.0.1", 0), Introspection)
    threading.Thread(target=provider.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="mf-dovecot-") as tmp:
        conf = Path(tmp) / "oauth2.conf.ext"
        conf.write_text(
            "introspection_mode = post\n"
            f"introspection_url = http://127.0.0.1:{provider.server_port}/introspect\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
        )
        extra = (
            "auth_mechanisms = plain login xoauth2 oauthbearer\n"
            "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
            f"  args = {conf}\n}}\n"
        )
        with DovecotServer(Path(tmp) / "oauth", DovecotOptions(extra_config=extra)) as server:
            server.add_user(USER, "unused-password")
            yield server
    provider.shutdown()


def token_endpoint(server: DovecotServer, token: str) -> Endpoint:
    return Endpoint(
        host=server.host,
        port=server.port,
        security="none",
        user=USER,
        secret=SecretStr(token),
        auth="xoauth2",
    )


class TestXoauth2:
    async def test_a_valid_token_logs_in(self, oauth_server):
        assert (await check_login(token_endpoint(oauth_server, GOOD_TOKEN))).ok

    async def test_a_refused_token_is_auth_failed_and_never_shown(self, oauth_server):
        result = await check_login(token_endpoint(oauth_server, "ya29.expired"))
        assert result.error_class == "auth_failed_source"
        assert "ya29" not in result.error_message
