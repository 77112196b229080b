"""What an operator does over HTTP: create a job, upload a CSV, request runs, watch them."""

import csv
import io
import uuid
from dataclasses import dataclass
from typing import Any, cast

import httpx

from mailferry_devstack.dovecot import DovecotServer
from tests.fixtures.waiting import wait_for

API = "/api/v1/migration"
TERMINAL = {"success", "partial", "failed"}


@dataclass(frozen=True)
class Account:
    """One row of the CSV: a user on each server with their passwords."""

    source_user: str
    source_password: str
    target_user: str
    target_password: str


def server(dovecot: DovecotServer) -> dict[str, Any]:
    return {"host": dovecot.host, "port": dovecot.port, "security": "none"}


def csv_of(accounts: list[Account], domain: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["source_email", "source_user", "source_password", "target_email", "target_user",
         "target_password"]
    )  # fmt: skip
    for a in accounts:
        writer.writerow(
            [f"{a.source_user}@{domain}", a.source_user, a.source_password,
             f"{a.target_user}@new.{domain}", a.target_user, a.target_password]
        )  # fmt: skip
    return out.getvalue().encode()


async def create_job(
    http: httpx.AsyncClient, source: DovecotServer, destination: DovecotServer, **options: Any
) -> str:
    body = {
        "domain": "old.example",
        "source": server(source),
        "destination": server(destination),
        "engine": "native",
        "concurrency_limit": 4,
        "per_host_limit": 4,
        **options,
    }
    response = await http.post(f"{API}/jobs", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["job_id"])


async def upload(http: httpx.AsyncClient, job_id: str, accounts: list[Account]) -> list[str]:
    files = {"file": ("mailboxes.csv", csv_of(accounts, "old.example"), "text/csv")}
    response = await http.post(f"{API}/jobs/{job_id}/mailboxes", files=files)
    assert response.status_code == 201, response.text
    return [str(m) for m in response.json()["mailbox_ids"]]


async def ask(
    http: httpx.AsyncClient, job_id: str, action: str, body: dict[str, Any] | None = None
) -> str:
    """POST a run request (preflight, sync, verify); return its request id."""
    response = await http.post(f"{API}/jobs/{job_id}/{action}", json=body)
    assert response.status_code == 202, response.text
    return str(response.json()["request_id"])


async def runs_of(http: httpx.AsyncClient, mailbox_id: str) -> list[dict[str, Any]]:
    response = await http.get(f"{API}/mailboxes/{mailbox_id}/runs", params={"limit": 200})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def finished_runs(
    http: httpx.AsyncClient, mailbox_ids: list[str], request_id: str, timeout: float = 180
) -> dict[str, dict[str, Any]]:
    """Each mailbox's run of one request, once all of them ended (as the read model says)."""

    seen: dict[str, str] = {}

    async def probe() -> dict[str, dict[str, Any]] | None:
        found = {}
        for mailbox_id in mailbox_ids:
            response = await http.get(f"{API}/mailboxes/{mailbox_id}/runs", params={"limit": 200})
            if response.status_code == 404:
                seen[mailbox_id] = "not projected"
                return None  # the projector has not shown the imported mailbox yet
            assert response.status_code == 200, response.text
            runs = [r for r in response.json()["items"] if r["request_id"] == request_id]
            seen[mailbox_id] = _run_state(runs[0]) if runs else "no run"
            if not runs or runs[0]["status"] not in TERMINAL:
                return None
            found[mailbox_id] = runs[0]
        return found

    try:
        runs = await wait_for(probe, timeout=timeout, what=f"the runs of request {request_id}")
    except AssertionError as exc:
        # What each mailbox's run looked like last: the first thing to know about a stall.
        states = "; ".join(f"{m[:8]}: {state}" for m, state in seen.items())
        raise AssertionError(f"{exc} [{states}]") from None
    return cast(dict[str, dict[str, Any]], runs)


def _run_state(run: dict[str, Any]) -> str:
    keys = ("status", "attempt", "runner_id", "started_at", "error_class")
    return " ".join(f"{k}={run.get(k)}" for k in keys if run.get(k) is not None)


async def mailbox(http: httpx.AsyncClient, mailbox_id: str) -> dict[str, Any]:
    response = await http.get(f"{API}/mailboxes/{mailbox_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def new_account(prefix: str) -> Account:
    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    return Account(name, f"src-{uuid.uuid4().hex}", name, f"dst-{uuid.uuid4().hex}")


async def gate(http: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    response = await http.get(f"{API}/jobs/{job_id}/gate")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def gate_when(
    http: httpx.AsyncClient, job_id: str, state: str, *, after: str | None = None,
    timeout: float = 60,
) -> dict[str, Any]:  # fmt: skip
    """The gate once it is ``state`` in an evaluation other than ``after``."""

    async def probe() -> dict[str, Any] | None:
        response = await http.get(f"{API}/jobs/{job_id}/gate")
        if response.status_code == 404:
            return None
        body: dict[str, Any] = response.json()
        fresh = body["evaluation_id"] is not None and body["evaluation_id"] != after
        return body if fresh and body["gate"] == state else None

    found = await wait_for(probe, timeout=timeout, what=f"gate {state} of job {job_id}")
    return cast(dict[str, Any], found)


async def phase_when(
    http: httpx.AsyncClient, job_id: str, phase: str, timeout: float = 60
) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await http.get(f"{API}/jobs/{job_id}")
        body: dict[str, Any] = response.json()
        return body if response.status_code == 200 and body["phase"] == phase else None

    found = await wait_for(probe, timeout=timeout, what=f"phase {phase} of job {job_id}")
    return cast(dict[str, Any], found)
