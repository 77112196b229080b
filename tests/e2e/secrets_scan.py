"""Where a password must never show: process command lines, events, logs, read models."""

import asyncio
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from mailferry_bus import Bus
from mailferry_contracts import subjects as subj


def command_lines() -> list[bytes]:
    """Every process's argv as the kernel shows it to anyone on the machine."""
    lines = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                lines.append((proc / "cmdline").read_bytes())
            except OSError:
                continue
    return lines


@dataclass
class CommandLineSamples:
    """What a sampler of /proc saw: how often it looked, and the imapsync runs it caught."""

    samples: int = 0
    imapsync_seen: int = 0


async def sample_command_lines(secrets: list[str], stop: asyncio.Event) -> CommandLineSamples:
    """Sample /proc until ``stop``. Raises on a leak."""
    needles = [s.encode() for s in secrets]
    seen = CommandLineSamples()
    while not stop.is_set():
        seen.samples += 1
        for line in command_lines():
            leaked = [n for n in needles if n in line]
            assert not leaked, f"a password is in a process command line: {line[:80]!r}"
            seen.imapsync_seen += b"--passfile1" in line
        await asyncio.sleep(0.02)  # sampling interval while the runs go on
    return seen


async def stream_text(bus: Bus, stream: str, subject: str) -> str:
    """Every message of a stream (raw), as text."""
    info = await bus.js.stream_info(stream)
    if not info.state.messages:
        return ""
    sub = await bus.js.subscribe(subject, stream=stream, ordered_consumer=True)
    chunks: list[str] = []
    try:
        while len(chunks) < info.state.messages:
            msg = await sub.next_msg(timeout=5.0)
            chunks.append(msg.data.decode(errors="replace"))
    finally:
        await sub.unsubscribe()
    return "\n".join(chunks)


async def bus_text(bus: Bus) -> str:
    """Events, progress, logs and dead letters."""
    parts = [
        await stream_text(bus, subj.EVENTS_STREAM, subj.all_events()),
        await stream_text(bus, subj.LOGS_STREAM, f"{subj.LOGS_ROOT}.>"),
        await stream_text(bus, subj.PROGRESS_STREAM, f"{subj.PROGRESS_ROOT}.>"),
        await stream_text(bus, subj.DLQ_STREAM, f"{subj.DLQ_ROOT}.>"),
    ]
    return "\n".join(parts)


def read_models_text(database_url: str) -> str:
    """Every row of every table, as JSON text."""
    out: list[str] = []
    with psycopg.connect(database_url) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        for (table,) in tables:
            query = sql.SQL("SELECT row_to_json(t)::text FROM {} t").format(sql.Identifier(table))
            out.extend(row[0] for row in conn.execute(query).fetchall())
    return "\n".join(out)
