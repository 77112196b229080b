"""``python -m mailferry_api audit timeline --job ID`` and ``audit verify --job ID | --all``.

Both read the event log itself (NATS), not the read models: the log is the evidence.
``--stream`` points them at a copy of the log (a restored backup, a scratch stream).
"""

import argparse
import uuid
from collections.abc import Sequence
from typing import Any, TextIO

from mailferry_api.audit.eventlog import (
    RawEvent,
    StreamShape,
    deleted_sequences,
    read_raw,
    rebase,
    stream_shape,
)
from mailferry_api.audit.timeline import timeline
from mailferry_api.audit.verify import Verdict, unexplained_gaps, verify_chain
from mailferry_bus import Bus, BusSettings, open_bus
from mailferry_contracts import Envelope, UndecodableMessageError, decode, subjects


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mailferry_api audit")
    sub = parser.add_subparsers(dest="command", required=True)
    line = sub.add_parser("timeline", help="a job's history, oldest first")
    line.add_argument("--job", required=True, type=uuid.UUID)
    check = sub.add_parser("verify", help="check the hash chains; exit 1 naming what is wrong")
    scope = check.add_mutually_exclusive_group(required=True)
    scope.add_argument("--job", type=uuid.UUID)
    scope.add_argument("--all", action="store_true")
    for command in (line, check):
        command.add_argument("--stream", default=subjects.EVENTS_STREAM, help="a copy of the log")
    return parser


def _decoded(events: Sequence[RawEvent]) -> list[tuple[int, Envelope[Any]]]:
    out = []
    for event in events:
        try:
            out.append((event.seq, decode(event.data)))
        except UndecodableMessageError:
            continue  # `audit verify` names it; a timeline shows what can be read
    return out


async def job_timeline(bus: Bus, shape: StreamShape, job_id: uuid.UUID) -> list[str]:
    """The job's own events plus those of its mailboxes and runs."""
    own = rebase(subjects.aggregate_subjects(subjects.AGGREGATE_JOB, str(job_id)), shape.prefix)
    job = _decoded(await read_raw(bus.js, shape.name, own, shape.last_seq))
    mailboxes = {
        str(spec.mailbox_id) for _, env in job for spec in getattr(env.payload, "mailboxes", [])
    }
    related: list[tuple[int, Envelope[Any]]] = []
    for kind in (subjects.AGGREGATE_MAILBOX, subjects.AGGREGATE_RUN):
        raw = await read_raw(
            bus.js, shape.name, rebase(subjects.aggregates_of_kind(kind), shape.prefix),
            shape.last_seq,
        )  # fmt: skip
        related += [
            (seq, env) for seq, env in _decoded(raw)
            if env.aggregate_id in mailboxes or getattr(env.payload, "job_id", None) == job_id
        ]  # fmt: skip
    return timeline(job + related)


async def verify(bus: Bus, shape: StreamShape, job_id: uuid.UUID | None) -> Verdict:
    """Check the job's chain, or every chain of the stream (``job_id`` None)."""
    everything = rebase(subjects.all_events(), shape.prefix)
    one_job = rebase(subjects.aggregate_subjects(subjects.AGGREGATE_JOB, str(job_id)), shape.prefix)
    events = await read_raw(bus.js, shape.name, one_job if job_id else everything, shape.last_seq)
    gone = await deleted_sequences(bus.nc, shape.name)
    verdict = verify_chain(events, gone)
    # The log denies deletes: a deleted sequence is tampering whichever aggregate it held, and
    # the last event of the job's own chain leaves no other trace when it is deleted.
    verdict.problems += unexplained_gaps(verdict, gone)
    return verdict


def render(verdict: Verdict) -> str:
    """The verdict for a person."""
    head = f"{verdict.events} events in {verdict.aggregates} aggregates"
    if verdict.intact:
        return f"OK: {head}; every hash chain is intact\n"
    lines = [f"TAMPERED: {head}; {len(verdict.problems)} problem(s)"]
    return "\n".join(lines + [str(p) for p in sorted(verdict.problems, key=lambda p: p.seq)]) + "\n"


async def run(argv: list[str], settings: BusSettings, out: TextIO) -> int:
    """Run one audit command; ``verify`` exits 1 when a chain is broken."""
    args = _parser().parse_args(argv)
    bus = await open_bus(settings, "mailferry-api-audit", ensure=False)
    try:
        shape = await stream_shape(bus.js, args.stream)
        if args.command == "timeline":
            out.write("\n".join(await job_timeline(bus, shape, args.job)) + "\n")
            return 0
        verdict = await verify(bus, shape, None if args.all else args.job)
    finally:
        await bus.close()
    out.write(render(verdict))
    return 0 if verdict.intact else 1
