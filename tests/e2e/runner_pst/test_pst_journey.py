"""A PST import through the whole stack: upload over HTTP, sync, a destination over quota,
quarantine listed and downloaded, the quota raised and retried, or the loss accepted."""

import asyncio
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mailferry_devstack.corpus_io import read_mailbox
from mailferry_devstack.dovecot import MailUser
from tests.e2e.secrets_scan import bus_text, read_models_text
from tests.fixtures.dovecot_pair import new_user
from tests.fixtures.waiting import wait_for

from .conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]
API = "/api/v1/migration"
PST = Path(__file__).resolve().parents[2] / "data" / "pst" / "aspose-Outlook.pst"
MESSAGES = 14


async def pst_mailbox(stack: Stack, server: Any, user: MailUser) -> tuple[str, str]:
    """A job with one PST mailbox whose destination is ``user``; the PST uploaded."""
    api, auth = stack.api, stack.auth
    job = {
        "domain": "old.example",
        "destination": {"host": server.host, "port": server.port, "security": "none"},
    }
    job_id = (await api.post(f"{API}/jobs", json=job, headers=auth())).json()["job_id"]
    box = {
        "source_email": "alice@old.example", "source_type": "pst",
        "target_user": user.name, "target_password": user.password,
    }  # fmt: skip
    imported = await api.post(f"{API}/jobs/{job_id}/mailboxes", json=[box], headers=auth())
    [mailbox_id] = imported.json()["mailbox_ids"]
    uploaded = await api.post(
        f"{API}/jobs/{job_id}/upload-pst", headers=auth(),
        data={"mailbox_id": mailbox_id}, files={"file": ("alice.pst", PST.read_bytes())},
    )  # fmt: skip
    assert uploaded.status_code == 201, uploaded.text
    return job_id, mailbox_id


async def get(stack: Stack, path: str, **params: Any) -> Any:
    response = await stack.api.get(f"{API}{path}", params=params, headers=stack.auth())
    assert response.status_code == 200, response.text
    return response.json()


async def quarantined_import(stack: Stack, server: Any) -> tuple[str, str, MailUser, list[Any]]:
    user = new_user(server, quota_bytes=300_000)
    job_id, mailbox_id = await pst_mailbox(stack, server, user)
    sync = await stack.api.post(
        f"{API}/jobs/{job_id}/sync", json={"mode": "initial"}, headers=stack.auth()
    )
    assert sync.status_code == 202, sync.text

    async def listed() -> list[Any]:
        items: list[Any] = (await get(stack, f"/mailboxes/{mailbox_id}/quarantine"))["items"]
        return items

    items = await wait_for(listed, timeout=60, what="the quarantine in the read model")
    return job_id, mailbox_id, user, items


async def gate_check(stack: Stack, job_id: str, name: str) -> str | None:
    events, _ = await stack.bus.events.load("job", job_id)
    evaluated = [e.envelope.payload for e in events if e.envelope.type == "GateEvaluated"]
    checks = {c.name: c.status for c in evaluated[-1].checks} if evaluated else {}
    return checks.get(name)


async def test_over_quota_is_quarantined_then_retried_after_the_quota_is_raised(
    stack, dovecot_pair
):
    server = dovecot_pair.destination
    job_id, mailbox_id, user, items = await quarantined_import(stack, server)

    assert {i["reason"] for i in items} == {"over_quota"}
    assert all(i["folder"] and i["size_bytes"] > 0 and i["decision"] is None for i in items)
    await wait_for(
        lambda: _status(stack, mailbox_id, "quarantine"), timeout=30, what="status quarantine"
    )
    run_id = items[0]["run_id"]
    mbox = await stack.api.get(
        f"{API}/mailboxes/{mailbox_id}/quarantine/{run_id}/mbox", headers=stack.auth()
    )
    assert mbox.headers["content-type"].startswith("application/mbox")
    assert mbox.content.count(b"X-Mailferry-Quarantine-Reason: over_quota") == len(items)
    files = (await get(stack, f"/mailboxes/{mailbox_id}/artifacts"))["items"]
    assert {f["file_name"] for f in files} == {"quarantine.mbox", "items.zip"}
    [items] = [f for f in files if f["file_name"] == "items.zip"]
    archive = await stack.api.get(items["download"], headers=stack.auth())
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert sorted(n.rsplit("/", 2)[-2:][1] for n in names) == ["calendar.ics", "contacts.vcf"]
    await wait_for(
        lambda: _check_is(stack, job_id, "pst_quarantine", "fail"), timeout=30,
        what="the gate failing pst_quarantine",
    )  # fmt: skip

    await asyncio.to_thread(server.set_quota, user.name, None)
    review = await stack.api.post(
        f"{API}/mailboxes/{mailbox_id}/quarantine/{run_id}/review",
        json={"decision": "retry", "note": "quota raised"}, headers=stack.auth(),
    )  # fmt: skip
    assert review.status_code == 200, review.text
    assert review.json()["retry_request_id"] is not None

    await wait_for(lambda: _status(stack, mailbox_id, "ok"), timeout=60, what="mailbox ok")
    assert (await get(stack, f"/mailboxes/{mailbox_id}/quarantine", pending=True))["items"] == []
    counts = read_mailbox(server.host, server.port, user.name, user.password).counts()
    assert sum(counts.values()) == MESSAGES
    await wait_for(
        lambda: _check_is(stack, job_id, "pst_quarantine", "pass"), timeout=30,
        what="pst_quarantine passing after the retry",
    )  # fmt: skip
    # The destination password went in with the mailbox: it is nowhere else to be seen.
    everything = "\n".join(
        [await bus_text(stack.bus), read_models_text(stack.database_url), mbox.text, review.text]
    )
    assert "over_quota" in everything
    assert user.password not in everything


async def test_an_accepted_loss_turns_the_quarantine_check_to_warn(stack, dovecot_pair):
    job_id, mailbox_id, _, items = await quarantined_import(stack, dovecot_pair.destination)
    review = await stack.api.post(
        f"{API}/mailboxes/{mailbox_id}/quarantine/{items[0]['run_id']}/review",
        json={"decision": "accept", "note": "old newsletters"}, headers=stack.auth(),
    )  # fmt: skip
    assert (review.status_code, review.json()["retry_request_id"]) == (200, None)
    await wait_for(
        lambda: _check_is(stack, job_id, "pst_quarantine", "warn"), timeout=30,
        what="pst_quarantine warning",
    )  # fmt: skip

    async def decisions() -> set[Any]:
        return {i["decision"] for i in (await get(stack, f"/jobs/{job_id}/quarantine"))["items"]}

    await wait_for(
        lambda: _equals(decisions(), {"accept"}), timeout=30, what="the decision in the read model"
    )


async def _equals(value: Any, wanted: Any) -> bool:
    return bool(await value == wanted)


async def _status(stack: Stack, mailbox_id: str, wanted: str) -> bool:
    status: str = (await get(stack, f"/mailboxes/{mailbox_id}"))["status"]
    return status == wanted


async def _check_is(stack: Stack, job_id: str, name: str, wanted: str) -> bool:
    return await gate_check(stack, job_id, name) == wanted
