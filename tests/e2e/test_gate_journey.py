"""Issue 4's journey through the gate, on the whole stack and two real Dovecot servers.

preflight → initial → delta → verify with one INBOX message gone at the destination →
blocked, naming the mailbox and the folder → delta (copies it back) → verify → warning →
approve → ready_for_dns → gate_ready on NATS and to a signed webhook → dns-applied → final sync
→ verify → verified → close (secrets destroyed). Every wrong caller and wrong moment on the way
is refused and leaves the gate as it was; and no password ever shows in a command line, event,
table, log or API response of the whole migration.
"""

import asyncio
import imaplib
import json
import time
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import pytest

from mailferry_api.auth.passwords import Passwords
from mailferry_api.credentials.purge import job_credential_refs
from mailferry_api.users.admin import UserAdmin
from mailferry_bus import Bus, utc_now
from mailferry_contracts import Actor, ActorKind, subjects
from mailferry_contracts.common import Role
from mailferry_contracts.gate import GateReady
from mailferry_contracts.users import ServiceScope
from mailferry_devstack.corpus import CorpusSpec
from mailferry_gate.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from mailferry_vault import CredentialVault, KeyRing
from tests.e2e import operator as op
from tests.e2e.secrets_scan import bus_text, read_models_text, sample_command_lines
from tests.e2e.stack import Stack
from tests.fixtures.dovecot_pair import MailboxPair
from tests.fixtures.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
CORPUS = CorpusSpec(messages=120, total_bytes=1_500_000)
DOMAIN = "old.example"
ADMIN = Actor(kind=ActorKind.USER, user="root@example.com", role="super_admin")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def delete_one_inbox_message(pair: MailboxPair, account: op.Account) -> int:
    """Expunge the first INBOX message at the destination; return how many INBOX held before."""
    server = pair.servers.destination
    imap = imaplib.IMAP4(server.host, server.port)
    try:
        imap.login(account.target_user, account.target_password)
        _, [count] = imap.select("INBOX")
        imap.store("1", "+FLAGS", "(\\Deleted)")
        imap.expunge()
    finally:
        imap.logout()
    return int(count or 0)


async def wizard_token(bus: Bus, http: httpx.AsyncClient, job_id: str) -> dict[str, str]:
    """A wizard service token, once the API's directory knows it."""
    admin = UserAdmin(bus, Passwords())
    token, _, _ = await admin.issue_token(
        "e2e-wizard", ServiceScope.WIZARD, expires_at=None, actor=ADMIN, now=utc_now()
    )
    headers = bearer(token)

    async def known() -> bool:
        response = await http.get(f"{op.API}/gate", params={"job_id": job_id}, headers=headers)
        return response.status_code != 401

    await wait_for(known, timeout=30, what="the API knowing the wizard's token")
    return headers


async def head(bus: Bus, job_id: str) -> int:
    return (await bus.events.head("job", job_id)).sequence


async def refused(
    http: httpx.AsyncClient, bus: Bus, job_id: str, path: str, body: dict[str, Any],
    headers: dict[str, str], status: int,
) -> dict[str, Any]:  # fmt: skip
    """POST that must be refused with ``status`` and append nothing to the job."""
    before = await head(bus, job_id)
    response = await http.post(f"{op.API}/{path}", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert await head(bus, job_id) == before
    answer: dict[str, Any] = response.json()
    return answer


async def run(http: httpx.AsyncClient, job_id: str, ids: list[str], action: str, **body: Any):
    request = await op.ask(http, job_id, action, body or None)
    runs = await op.finished_runs(http, ids, request)
    assert {r["status"] for r in runs.values()} == {"success"}, runs


@dataclass
class Journey:
    """The job on its way through the gate, and who acts on it."""

    http: httpx.AsyncClient
    bus: Bus
    stack: Stack
    job_id: str = ""
    ids: list[str] = field(default_factory=list)
    wizard: dict[str, str] = field(default_factory=dict)

    def as_(self, role: Role, user: str) -> dict[str, str]:
        return bearer(self.stack.token(role, user))

    @property
    def lead(self) -> dict[str, str]:
        return self.as_(Role.OPS_LEAD, "lead@example.com")

    async def run(self, action: str, **body: Any) -> None:
        await run(self.http, self.job_id, self.ids, action, **body)

    async def refused(self, path: str, body: dict[str, Any], headers: dict[str, str],
                      status: int) -> dict[str, Any]:  # fmt: skip
        return await refused(self.http, self.bus, self.job_id, path, body, headers, status)


class TestThroughTheGate:
    async def test_from_a_missing_message_to_a_closed_job(
        self, http, stack: Stack, stack_bus, dovecot_pair, webhook_receiver
    ):
        receiver = await webhook_receiver(stack.webhook_secret, port=stack.webhook_port)
        trip = Journey(http, stack_bus, stack)
        accounts, pairs = await _start(trip, dovecot_pair)
        secrets = [p for a in accounts for p in (a.source_password, a.target_password)]
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_command_lines(secrets, stop))
        try:
            await self._journey(trip, accounts, pairs, receiver)
        finally:
            stop.set()
        assert (await sampler).samples > 10
        await _nothing_leaked(trip, secrets)
        await _read_models_replay_identically(stack)

    async def _journey(self, trip: "Journey", accounts, pairs, receiver) -> None:
        http, stack = trip.http, trip.stack
        await trip.run("preflight")
        await trip.run("sync", mode="initial")
        await trip.run("sync", mode="delta")
        inbox = await asyncio.to_thread(delete_one_inbox_message, pairs[0], accounts[0])
        await trip.run("verify")
        email = f"{accounts[0].source_user}@{DOMAIN}"
        shortfall = f"{email}: INBOX has {inbox - 1} of {inbox} messages at the destination"
        blocked = await _gate_with(http, trip.job_id, "inbox_complete", shortfall)
        assert blocked["gate"] == "blocked"
        await _refusals_while_blocked(trip, blocked)

        await trip.run("sync", mode="delta")
        await trip.run("verify")
        warning = await op.gate_when(http, trip.job_id, "warning", after=blocked["evaluation_id"])
        assert [c["status"] for c in warning["checks"]] == ["pass"] * 5 + ["fail"]
        await _refusals_while_warning(trip, blocked, warning)

        notice, hook = await _approve_and_hear(trip, warning, receiver)
        verify(stack.webhook_secret, hook.body, hook.headers[TIMESTAMP_HEADER.lower()],
               hook.headers[SIGNATURE_HEADER.lower()], now=int(time.time()))  # fmt: skip
        assert GateReady.model_validate_json(hook.body) == notice

        await _cutover(trip)
        await trip.run("sync", mode="final")
        await trip.run("verify")
        await op.phase_when(http, trip.job_id, "verified", timeout=120)
        await _close(trip)


async def _read_models_replay_identically(stack: Stack) -> None:
    """The auditor's check after a real migration: replaying the log rebuilds what is live."""

    def caught_up() -> bool:
        lag = stack.command("mailferry_projector", "lag", "--json")
        return lag.returncode == 0 and json.loads(lag.stdout)["lag"] == 0

    await wait_for(lambda: asyncio.to_thread(caught_up), timeout=60, what="projector lag 0")
    verified = await asyncio.to_thread(stack.command, "mailferry_projector", "rebuild", "--verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("identical"), verified.stdout


async def _nothing_leaked(trip: Journey, secrets: list[str]) -> None:
    """A whole migration later, no password in any event, table, log or response."""
    for mailbox_id in trip.ids:
        await trip.http.get(f"{op.API}/mailboxes/{mailbox_id}/logs", params={"download": True})
    everything = "\n".join([
        await bus_text(trip.bus), read_models_text(trip.stack.database_url),
        trip.stack.service_output(), *trip.http.bodies,  # type: ignore[attr-defined]
    ])  # fmt: skip
    assert "copied" in everything  # the run logs were read
    for secret in secrets:
        assert secret not in everything


async def _approve_and_hear(trip: Journey, warning: dict[str, Any], receiver) -> tuple[Any, Any]:
    """Approve; the gate becomes ready and tells NATS and the webhook."""
    notifications = await trip.bus.nc.subscribe(subjects.GATE_READY)
    approve = {"evaluation_id": warning["evaluation_id"], "comment": "all there"}
    url = f"{op.API}/jobs/{trip.job_id}/approve-gate"
    response = await trip.http.post(url, json=approve, headers=trip.lead)
    assert response.status_code == 200, response.text
    ready = await op.gate_when(
        trip.http, trip.job_id, "ready_for_dns", after=warning["evaluation_id"]
    )
    assert ready["approved_by"] == "lead@example.com"
    await op.phase_when(trip.http, trip.job_id, "cutover_ready")
    notice = GateReady.model_validate_json((await notifications.next_msg(timeout=60)).data)
    await notifications.unsubscribe()
    assert (str(notice.job_id), notice.domain, notice.gate, notice.approved_by) == (
        trip.job_id, DOMAIN, "ready_for_dns", "lead@example.com",
    )  # fmt: skip
    delivered = await wait_for(
        lambda: receiver.delivered or None, timeout=60, what="the webhook delivery"
    )
    return notice, cast(list[Any], delivered)[0]


async def _start(trip: Journey, dovecot_pair) -> tuple[list[op.Account], list[MailboxPair]]:
    """Two mailboxes with mail at the source, a job for them, and the wizard's token."""
    accounts = [op.new_account("gate") for _ in range(2)]
    pairs = [_pair(dovecot_pair, a) for a in accounts]
    for pair in pairs:
        pair.fill_source(CORPUS)
    trip.job_id = await op.create_job(trip.http, dovecot_pair.source, dovecot_pair.destination)
    trip.ids = await op.upload(trip.http, trip.job_id, accounts)
    trip.wizard = await wizard_token(trip.bus, trip.http, trip.job_id)
    return accounts, pairs


async def _cutover(trip: Journey) -> None:
    """The wizard reads the gate of the domain and reports DNS applied (a person may not)."""
    seen = await trip.http.get(f"{op.API}/gate", params={"domain": DOMAIN}, headers=trip.wizard)
    assert seen.status_code == 200, seen.text
    assert (seen.json()["job_id"], seen.json()["gate"], seen.json()["approved_by"]) == (
        trip.job_id, "ready_for_dns", "lead@example.com",
    )  # fmt: skip
    applied = {"job_id": trip.job_id, "applied_at": utc_now().isoformat(), "details": "MX"}
    await trip.refused("dns-applied", applied, trip.lead, 403)
    response = await trip.http.post(f"{op.API}/dns-applied", json=applied, headers=trip.wizard)
    assert response.status_code == 200, response.text
    await op.phase_when(trip.http, trip.job_id, "dns_cutover")


async def _close(trip: Journey) -> None:
    """Close the verified job: the vault holds none of its secrets any more."""
    closed = await trip.http.post(f"{op.API}/jobs/{trip.job_id}/close", json={}, headers=trip.lead)
    assert closed.status_code == 200, closed.text
    assert closed.json()["secrets_destroyed"] == 4
    events, _ = await trip.bus.events.load("job", trip.job_id)
    refs = job_credential_refs(e.envelope for e in events)
    vault = await CredentialVault.open(trip.bus.js, _keyring(trip.stack))
    assert len(refs) == 4
    assert set(refs) & set(await vault.references()) == set()
    await op.phase_when(trip.http, trip.job_id, "closed")
    deliveries = (await op.gate(trip.http, trip.job_id))["webhook_deliveries"]
    assert any(d["delivered"] for d in deliveries)


def _pair(dovecot_pair, account: op.Account) -> MailboxPair:
    source = dovecot_pair.source.add_user(account.source_user, account.source_password)
    destination = dovecot_pair.destination.add_user(account.target_user, account.target_password)
    return MailboxPair(dovecot_pair, source, destination)


def _keyring(stack: Stack) -> KeyRing:
    return KeyRing.parse(stack.credentials_key, "MIGRATION_CREDENTIALS_KEY")


async def _gate_with(http, job_id: str, check: str, text: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        body = await op.gate(http, job_id)
        found = [c for c in body["checks"] if c["name"] == check and text in c["message"]]
        return body if found else None

    found = await wait_for(probe, timeout=60, what=f"{check}: {text}")
    return cast(dict[str, Any], found)


async def _refusals_while_blocked(trip: Journey, blocked: dict[str, Any]) -> None:
    seen = {"evaluation_id": blocked["evaluation_id"]}
    failing = await trip.refused(f"jobs/{trip.job_id}/approve-gate", seen, trip.lead, 409)
    assert failing["error"] == "checks_failing"
    assert "INBOX has" in failing["message"]
    applied = {"job_id": trip.job_id, "applied_at": utc_now().isoformat()}
    early = await trip.refused("dns-applied", applied, trip.wizard, 409)
    assert early["error"] == "gate_not_ready"


async def _refusals_while_warning(
    trip: Journey, blocked: dict[str, Any], warning: dict[str, Any]
) -> None:
    technician = trip.as_(Role.TECHNICIAN, "tech@example.com")
    root = trip.as_(Role.SUPER_ADMIN, "root@example.com")
    current = {"evaluation_id": warning["evaluation_id"]}
    path = f"jobs/{trip.job_id}/approve-gate"
    await trip.refused(path, current, technician, 403)
    await trip.refused(path, current, {"Authorization": "Bearer forged"}, 401)
    stale = await trip.refused(path, {"evaluation_id": blocked["evaluation_id"]}, trip.lead, 409)
    assert stale["error"] == "stale_evaluation"
    await trip.refused(f"jobs/{trip.job_id}/override-gate", {"reason": " "}, root, 422)
    assert (await op.gate(trip.http, trip.job_id))["gate"] == "warning"
