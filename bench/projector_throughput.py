"""Projector throughput: how fast a projector started from sequence 0 catches up with the log.

    uv run python bench/projector_throughput.py [--events 100000] [--batch-size 500] [--json]

Starts a private nats-server and PostgreSQL (mailferry_devstack), publishes synthetic but
realistic events (jobs of 1,000 mailboxes: import, preflight, initial and delta sync, verify,
gate evaluations, a few failures and retries; runs of different mailboxes interleaved the way
parallel runners interleave them), then starts ``python -m mailferry_projector`` and measures
the time until its tracking row reaches the last sequence, and its peak RSS (VmHWM).
Publishing bypasses EventStore on purpose (pipelined ``publish_async``, no OCC round trips):
the projector only reads the log, and the log looks the same.
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from mailferry_bus import BusSettings, open_bus
from mailferry_contracts import Actor, ActorKind, Contract, Envelope, encode, new_envelope
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import (
    CheckName,
    CheckStatus,
    FolderStat,
    RunType,
    ServerSettings,
)
from mailferry_contracts.gate import CheckResult, GateEvaluated
from mailferry_contracts.jobs import (
    JobCreated,
    MailboxesImported,
    MailboxSpec,
    PhaseChanged,
    PreflightRequested,
    SyncRequested,
    VerifyRequested,
)
from mailferry_contracts.mailboxes import FolderVerification, MailboxPreflighted, MailboxVerified
from mailferry_contracts.routing import run_id_for
from mailferry_contracts.runs import (
    RunAttemptFailed,
    RunFinished,
    RunQueued,
    RunStarted,
    RunStats,
)
from mailferry_devstack.nats_process import NatsProcess
from mailferry_devstack.postgres_cluster import PostgresCluster

MAILBOXES_PER_JOB = 1000
IMPORT_BATCH = 500
TECH = Actor(kind=ActorKind.USER, user="tech@example.com", role="technician", ip="10.0.0.1")
SYSTEM = Actor(kind=ActorKind.SYSTEM, user="runner-imap-1")
START = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


@dataclass
class Log:
    """Envelopes in log order, each with its own time."""

    envelopes: list[Envelope[Any]]
    clock: datetime = START

    def add(self, payload: Contract, aggregate_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.clock += timedelta(milliseconds=50)
        env = new_envelope(payload, aggregate_id=str(aggregate_id), actor=actor, now=self.clock)
        self.envelopes.append(env)


def synthetic_events(total: int, seed: int = 7) -> list[Envelope[Any]]:
    """At least ``total`` events of whole jobs, cut to ``total``."""
    rng = random.Random(seed)
    log = Log([])
    while len(log.envelopes) < total:
        _job(log, rng)
    return log.envelopes[:total]


def _job(log: Log, rng: random.Random) -> None:
    job = uuid.uuid4()
    source = ServerSettings(host="imap.old.example", port=993, label="old")
    dest = ServerSettings(host="mail.new.example", port=993)
    created = JobCreated(
        job_id=job,
        domain=f"d{job.hex[:8]}.example",
        source=source,
        destination=dest,
        concurrency_limit=20,
        per_host_limit=5,
    )
    log.add(created, job, TECH)
    mailboxes = [uuid.uuid4() for _ in range(MAILBOXES_PER_JOB)]
    _import(log, job, mailboxes)
    request = uuid.uuid4()
    log.add(PreflightRequested(request_id=request), job, TECH)
    log.add(PhaseChanged(from_phase="discovered", to_phase="preflight", cause="bench"), job)
    _runs(log, rng, job, mailboxes, request, RunType.PREFLIGHT)
    for mode, phase in (("initial", "initial_sync"), ("delta", "delta_sync")):
        request = uuid.uuid4()
        log.add(SyncRequested(request_id=request, mode=mode), job, TECH)
        log.add(PhaseChanged(from_phase="preflight", to_phase=phase, cause="bench"), job)
        _runs(log, rng, job, mailboxes, request, RunType(mode))
    request = uuid.uuid4()
    log.add(VerifyRequested(request_id=request), job, TECH)
    _runs(log, rng, job, mailboxes, request, RunType.VERIFY)
    _evaluate(log, job)


def _import(log: Log, job: uuid.UUID, mailboxes: list[uuid.UUID]) -> None:
    import_id = uuid.uuid4()
    batches = [mailboxes[i : i + IMPORT_BATCH] for i in range(0, len(mailboxes), IMPORT_BATCH)]
    for number, batch in enumerate(batches, start=1):
        specs = [
            MailboxSpec(
                mailbox_id=m,
                row=(number - 1) * IMPORT_BATCH + i + 1,
                source_email=f"u{i}.{m.hex[:6]}@example.com",
                source_user=f"u{i}",
                target_email=f"u{i}.{m.hex[:6]}@example.com",
                target_user=f"u{i}",
                source_credential_ref=f"cred:{uuid.uuid4()}",
                target_credential_ref=f"cred:{uuid.uuid4()}",
            )
            for i, m in enumerate(batch)
        ]
        imported = MailboxesImported(
            import_id=import_id,
            origin="csv",
            batch=number,
            batch_count=len(batches),
            mailboxes=specs,
        )
        log.add(imported, job, TECH)


def _runs(
    log: Log,
    rng: random.Random,
    job: uuid.UUID,
    mailboxes: list[uuid.UUID],
    request: uuid.UUID,
    run_type: RunType,
) -> None:
    """Queue every mailbox's run, then interleave their lives as parallel runners do."""
    lives = []
    for mailbox in mailboxes:
        run = run_id_for(request, mailbox, run_type)
        base = {"run_id": run, "job_id": job, "mailbox_id": mailbox, "run_type": run_type}
        log.add(RunQueued(**base, request_id=request, runner_kind="imap"), run)
        lives.append(_life(rng, base, run_type))
    active: list[Iterator[tuple[Contract, uuid.UUID]]] = []
    while lives or active:
        while lives and len(active) < 20:
            active.append(iter(lives.pop()))
        current = rng.choice(active)
        step = next(current, None)
        if step is None:
            active.remove(current)
            continue
        log.add(*step)


def _life(
    rng: random.Random, base: dict[str, Any], run_type: RunType
) -> list[tuple[Contract, uuid.UUID]]:
    run, mailbox, job = base["run_id"], base["mailbox_id"], base["job_id"]
    steps: list[tuple[Contract, uuid.UUID]] = [
        (RunStarted(**base, tool="native", runner_id="r1", attempt=1), run)
    ]
    failing = rng.random() < 0.05
    if rng.random() < 0.05:
        failed = RunAttemptFailed(**base, attempt=1, error_class="timeout", retry_in_seconds=5)
        steps += [
            (failed, run),
            (RunStarted(**base, tool="native", runner_id="r2", attempt=2), run),
        ]
    outcome: dict[str, Any] = {
        "status": "success",
        "stats": RunStats(
            transferred=rng.randint(10, 5000), folders=12, bytes=rng.randint(10**5, 10**9)
        ),
    }
    if failing:
        outcome = {
            "status": "failed",
            "error_class": "auth_failed_source",
            "error_message": "LOGIN failed",
        }
    steps.append((RunFinished(**base, tool="native", **outcome), run))
    if run_type == RunType.PREFLIGHT:
        folders = [
            FolderStat(name=n, messages=rng.randint(0, 3000), bytes=10**6)
            for n in ("INBOX", "Sent", "Archive")
        ]
        steps.append(
            (
                MailboxPreflighted(job_id=job, run_id=run, ok=not failing, source_folders=folders),
                mailbox,
            )
        )
    if run_type == RunType.VERIFY and not failing:
        source = rng.randint(100, 5000)
        dest = source - rng.choice((0, 0, 0, 1, 5))
        folders = [
            FolderVerification(
                source_folders=["INBOX"],
                destination_folder="INBOX",
                source_messages=source,
                destination_messages=dest,
                role="inbox",
            )
        ]
        steps.append(
            (
                MailboxVerified(
                    job_id=job,
                    run_id=run,
                    folders=folders,
                    source_messages=source,
                    destination_messages=dest,
                ),
                mailbox,
            )
        )
    return steps


def _evaluate(log: Log, job: uuid.UUID) -> None:
    checks = [
        CheckResult(name=name, status=CheckStatus.WARN, message="bench") for name in CheckName
    ]
    for gate in ("blocked", "warning"):
        log.add(
            GateEvaluated(evaluation_id=uuid.uuid4(), gate=gate, checks=checks, reason="bench"), job
        )


async def publish(url: str, envelopes: list[Envelope[Any]]) -> int:
    """Pipelined publishes with acks; return the last stream sequence."""
    bus = await open_bus(BusSettings(nats_url=url), "bench")
    try:
        futures = []
        for env in envelopes:
            subject = subj.event_subject(env.aggregate_type, env.aggregate_id, env.type)
            headers = {"Nats-Msg-Id": str(env.id)}
            futures.append(await bus.js.publish_async(subject, encode(env), headers=headers))
        acks = await asyncio.gather(*futures)
        return max(ack.seq for ack in acks)
    finally:
        await bus.close()


def applied(conn: psycopg.Connection[Any]) -> int:
    """Tracked position (0 until the projector has migrated and committed a batch)."""
    try:
        row = conn.execute(
            "SELECT last_seq FROM projection_tracking WHERE name = %s",
            (subj.PROJECTOR_DURABLE,),
        ).fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    return int(row[0]) if row else 0


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def project(nats_url: str, dsn: str, last: int, batch_size: int) -> dict[str, float]:
    # No MIGRATION_HEALTH_PORT: without it the projector serves no /healthz, as measured.
    env = {
        **{k: v for k, v in os.environ.items() if k != "MIGRATION_HEALTH_PORT"},
        "MIGRATION_NATS_URL": nats_url,
        "MIGRATION_DATABASE_URL": dsn,
        "MIGRATION_PROJECTOR_BATCH_SIZE": str(batch_size),
    }
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mailferry_projector"], env=env, stderr=subprocess.DEVNULL
    )
    first_at = None
    conn = psycopg.connect(dsn, autocommit=True)
    try:
        while (position := applied(conn)) < last:
            if proc.poll() is not None:
                raise RuntimeError(f"projector exited with {proc.returncode}")
            if position and first_at is None:
                first_at = (time.monotonic(), position)
            time.sleep(0.1)
        done = time.monotonic()
        rss = peak_rss_kib(proc.pid)
    finally:
        conn.close()
        proc.terminate()
        proc.wait(30)
    assert first_at is not None
    steady = (last - first_at[1]) / (done - first_at[0])
    return {
        "wall_s": done - started,
        "events_per_s": last / (done - started),
        "steady_events_per_s": steady,
        "peak_rss_mib": rss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--durable", action="store_true", help="PostgreSQL with fsync on")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mf-bench-") as tmp:
        nats = NatsProcess(store_dir=Path(tmp) / "nats").start()
        pg = PostgresCluster(base_dir=Path(tmp) / "pg", fast_unsafe=not args.durable).start()
        try:
            t0 = time.monotonic()
            envelopes = synthetic_events(args.events)
            t1 = time.monotonic()
            last = asyncio.run(publish(nats.url, envelopes))
            t2 = time.monotonic()
            result = project(nats.url, pg.dsn, last, args.batch_size)
        finally:
            pg.stop()
            nats.stop()
    report = {
        "events": last,
        "batch_size": args.batch_size,
        "durable_postgres": args.durable,
        "generate_s": t1 - t0,
        "publish_s": t2 - t1,
        **result,
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>20}: {value:.1f}" if isinstance(value, float) else f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
