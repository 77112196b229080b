"""Orchestration overhead: a sync request accepted by the API -> the engine started.

    PYTHONPATH=. uv run python bench/orchestration_overhead.py [--requests 50] [--runners 2]

(``PYTHONPATH=.``: it drives the stack with the e2e tests' helpers, ``tests/e2e``.)

Starts the stack as subprocesses (private nats-server and PostgreSQL, the API, the projector and
idle runner-imap processes with production timings) and two loopback Dovecot servers with one
empty mailbox pair, then sends sync requests for that one mailbox through the HTTP API, one at a
time, each after the previous run finished. For each request it prints nothing; at the end:

- *event to event*: SyncRequested ``occurred_at`` -> RunStarted ``occurred_at`` (both clocks are
  this machine's), the runner's share: dispatch, queueing, slot leases, pull, credential
  decryption, up to the engine's first connection;
- *202*: how long the API took to answer the POST (decide, append, reply);
- *POST to engine*: from sending the POST to RunStarted's ``occurred_at``.

Target (issue 3): event to event p95 <= 100 ms with idle runners. Figures are printed, never
asserted.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx

from mailferry_bus import Bus, BusSettings, open_bus
from mailferry_contracts import decode
from mailferry_contracts import subjects as subj
from mailferry_contracts.jobs import SyncRequested
from mailferry_contracts.runs import RunFinished, RunStarted
from mailferry_devstack.dovecot import DovecotOptions, DovecotServer, stop_all
from mailferry_devstack.nats_process import NatsProcess
from mailferry_devstack.postgres_cluster import PostgresCluster
from tests.e2e import operator as op
from tests.e2e.stack import Stack
from tests.fixtures.waiting import wait_for


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Watch:
    """Live SyncRequested / RunStarted / RunFinished timestamps from the event log."""

    def __init__(self) -> None:
        self.requested: dict[uuid.UUID, datetime] = {}
        self.started: list[datetime] = []
        self.finished = 0
        self.changed = asyncio.Event()

    async def subscribe(self, bus: Bus) -> None:
        await bus.nc.subscribe(subj.all_events(), cb=self._on_event)

    async def _on_event(self, msg: object) -> None:
        envelope = decode(msg.data)  # type: ignore[attr-defined]
        payload = envelope.payload
        if isinstance(payload, SyncRequested):
            self.requested[payload.request_id] = envelope.occurred_at
        elif isinstance(payload, RunStarted):
            self.started.append(envelope.occurred_at)
        elif isinstance(payload, RunFinished):
            self.finished += 1
        self.changed.set()

    async def until(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            self.changed.clear()
            await self.changed.wait()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name:<16} p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms   "
        f"max {max(ms):7.1f} ms   mean {statistics.fmean(ms):7.1f} ms"
    )


async def request_sync(
    http: httpx.AsyncClient, job_id: str, mailbox_id: str, mode: str
) -> tuple[float, float, uuid.UUID]:
    """POST one sync request: (wall clock when sent, seconds to the answer, its request id)."""
    sent_wall, sent = time.time(), time.perf_counter()
    body = {"mode": mode, "mailbox_ids": [mailbox_id]}
    response = await http.post(f"{op.API}/jobs/{job_id}/sync", json=body)
    replied = time.perf_counter() - sent
    if response.status_code != 202:
        raise SystemExit(f"sync request refused: {response.status_code} {response.text}")
    return sent_wall, replied, uuid.UUID(response.json()["request_id"])


async def until_phase(http: httpx.AsyncClient, job_id: str, phases: set[str]) -> None:
    async def reached() -> bool:
        return (await http.get(f"{op.API}/jobs/{job_id}")).json()["phase"] in phases

    await wait_for(reached, timeout=30, what=f"phase in {sorted(phases)}")


async def measure(stack: Stack, servers: tuple[DovecotServer, DovecotServer], count: int) -> None:
    source, destination = servers
    account = op.new_account("bench")
    source.add_user(account.source_user, account.source_password)
    destination.add_user(account.target_user, account.target_password)
    bus = await open_bus(BusSettings(nats_url=stack.nats_url), "bench", ensure=False)
    watch = Watch()
    await watch.subscribe(bus)
    headers = {"Authorization": f"Bearer {stack.token()}"}
    event_to_event, accepted, post_to_engine = [], [], []
    async with httpx.AsyncClient(base_url=stack.api_url, headers=headers, timeout=30) as http:
        job_id = await op.create_job(http, source, destination, concurrency_limit=4)
        [mailbox_id] = await op.upload(http, job_id, [account])
        for index in range(count + 1):  # the first request warms up connections and consumers
            done = watch.finished
            # The job's phase allows a delta only once an initial sync has run: that is the warm-up.
            mode = "initial" if index == 0 else "delta"
            sent_wall, replied, request_id = await request_sync(http, job_id, mailbox_id, mode)
            async with asyncio.timeout(30):
                await watch.until(
                    lambda: request_id in watch.requested and watch.finished > done  # noqa: B023
                )
            if index == 0:
                await until_phase(http, job_id, {"initial_sync", "delta_sync"})
                continue
            started = watch.started[-1]
            event_to_event.append((started - watch.requested[request_id]).total_seconds())
            accepted.append(replied)
            post_to_engine.append(started.timestamp() - sent_wall)
    await bus.close()
    _out(f"{count} sync requests, one mailbox, idle runners")
    _out(summary("event to event", event_to_event))
    _out(summary("202", accepted))
    _out(summary("POST to engine", post_to_engine))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--runners", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mf-bench-orch-") as tmp:
        base = Path(tmp)
        nats = NatsProcess(store_dir=base / "nats").start()
        postgres = PostgresCluster(base_dir=base / "pg").start()
        source = DovecotServer(base / "source").start()
        destination = DovecotServer(base / "destination", DovecotOptions(mail_format="sdbox"))
        destination.start()
        stack = Stack(base=base / "services", nats_url=nats.url, database_url=postgres.dsn)
        try:
            stack.start("api", "mailferry_api")
            stack.start("projector", "mailferry_projector")
            stack.start_gate()  # it moves the job's phase on, which allows the delta syncs
            for index in range(1, args.runners + 1):
                name = f"r{index}"
                stack.start(
                    name,
                    "mailferry_runner_imap",
                    MIGRATION_RUNNER_ID=name,
                    MIGRATION_WORK_DIR=str(base / name),
                )
            stack.wait_until_up()
            asyncio.run(measure(stack, (source, destination), args.requests))
        finally:
            stack.stop()
            stop_all(source, destination)
            postgres.stop()
            nats.stop()


if __name__ == "__main__":
    main()
