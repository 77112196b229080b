"""The ``users`` and ``service-tokens`` commands, against the session's NATS."""

import io
import uuid

import httpx
import pytest

from mailferry_api.__main__ import main
from mailferry_api.users.cli import Console, run
from mailferry_bus import BusSettings
from tests.fixtures.waiting import wait_for
from tests.integration.api.payloads import API
from tests.integration.security.conftest import PASSWORD, bearer, login
from tests.integration.security.spy import SpyTransport

pytestmark = pytest.mark.integration


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def _run(bus_settings: BusSettings, *argv: str, stdin: io.StringIO | None = None,
               answers: tuple[str, ...] = ()) -> tuple[int, str, str]:  # fmt: skip
    out, err, replies = io.StringIO(), io.StringIO(), iter(answers)
    console = Console(stdin=stdin or _Pipe(""), stdout=out, stderr=err,
                      prompt=lambda _: next(replies))  # fmt: skip
    status = await run(list(argv), bus_settings, console)
    return status, out.getvalue(), err.getvalue()


class TestUsersCli:
    async def test_the_first_super_admin_logs_in_with_the_password_from_stdin(
        self, bus_settings, client
    ):
        email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
        status, out, _ = await _run(bus_settings, "users", "create-admin", "--email", email,
                                    stdin=_Pipe(PASSWORD + "\n"))  # fmt: skip
        assert (status, out) == (0, f"super admin {email} created\n")
        response = await login(client, email)
        assert response.json()["role"] == "super_admin"

    async def test_a_prompt_asks_twice(self, bus_settings):
        email = f"u-{uuid.uuid4().hex[:8]}@example.com"
        argv = ("users", "add", "--email", email, "--role", "auditor")
        status, _, err = await _run(bus_settings, *argv, stdin=_Terminal(),
                                    answers=(PASSWORD, "other pw!!"))  # fmt: skip
        assert (status, err) == (1, "error: the two passwords differ\n")

    async def test_a_short_password_or_a_duplicate_is_refused(self, bus_settings):
        email = f"u-{uuid.uuid4().hex[:8]}@example.com"
        argv = ("users", "add", "--email", email, "--role", "auditor")
        short = await _run(bus_settings, *argv, stdin=_Pipe("short\n"))
        assert short[2].startswith("error: the password must")
        await _run(bus_settings, "users", "add", "--email", email, "--role", "auditor",
                   stdin=_Pipe(PASSWORD + "\n"))  # fmt: skip
        again = await _run(bus_settings, "users", "add", "--email", email, "--role", "auditor",
                           stdin=_Pipe(PASSWORD + "\n"))  # fmt: skip
        assert again[2] == f"error: user {email} already exists\n"

    async def test_disable_ends_the_users_sessions(self, bus_settings, client, app):
        email = f"u-{uuid.uuid4().hex[:8]}@example.com"
        await _run(bus_settings, "users", "add", "--email", email, "--role", "technician",
                   stdin=_Pipe(PASSWORD + "\n"))  # fmt: skip
        token = (await login(client, email)).json()["token"]
        assert (await _run(bus_settings, "users", "disable", "--email", email))[0] == 0

        async def refused():
            return (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401

        await wait_for(refused, timeout=10, what="the session to end")

    def test_the_password_is_never_an_argument(self):
        with pytest.raises(SystemExit):
            main(["users", "create-admin", "--email", "a@example.com", "--password", "x"])


class TestServiceTokensCli:
    async def test_issue_then_revoke(self, bus_settings, client, app):
        status, out, _ = await _run(bus_settings, "service-tokens", "issue", "--name", "wiz",
                                    "--scope", "wizard")  # fmt: skip
        token_id, token = out.splitlines()[0].removeprefix("token id: "), out.splitlines()[1]
        assert status == 0
        assert token.startswith("mft_")
        listed = (await _run(bus_settings, "service-tokens", "list"))[1]
        assert f"{token_id}\twiz\twizard\tactive" in listed
        assert token not in listed
        assert (await _run(bus_settings, "service-tokens", "revoke", "--id", token_id))[0] == 0
        assert f"{token_id}\twiz\twizard\trevoked" in (await _run(bus_settings, "service-tokens",
                                                                   "list"))[1]  # fmt: skip


async def test_the_spy_catches_an_echo():
    async def echo(scope, receive, send):
        body = (await receive())["body"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"you sent " + body})

    spy = SpyTransport(httpx.ASGITransport(app=echo))
    async with httpx.AsyncClient(transport=spy, base_url="http://t") as http:
        await http.post("/x", json={"source_password": "hunter2hunter2"})
        await http.post("/y", content=b"email,password\na@b.c,csv-secret-1\n",
                        headers={"Content-Type": "text/csv"})  # fmt: skip
    assert spy.echoes() == ["POST /x", "POST /y"]
