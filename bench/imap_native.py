"""Benchmark of the native IMAP engine against a naive Python loop, on loopback Dovecot.

    uv run python bench/imap_native.py [--messages 3000] [--megabytes 150] [--huge-mb 25]

Two private Dovecot 2.3 servers (source Maildir, destination sdbox with Exchange-like names)
and the deterministic "bench" corpus (3,000 messages, ~150 MB, 16 folders). It prints:

(a) a naive one-connection FETCH -> APPEND loop with the stdlib ``imaplib`` (the baseline),
(b) the native engine's initial copy (msgs/s, MB/s, and the ratio to (a)),
(c) the native no-op delta (sync state kept from (b)),
(d) the native engine's peak RSS copying the corpus plus one 25 MB message, measured in a child
    process (``VmHWM``), so the benchmark's own memory does not count.

Targets (issue 3): (b) >= 1.6 x (a), (c) <= 0.25 s, (d) <= 80 MB. The script prints figures
and never asserts them: the machine is shared and numbers vary.
"""

import argparse
import asyncio
import imaplib
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from mailferry_devstack.corpus import BENCH, CorpusSpec, generate
from mailferry_devstack.corpus_io import read_mailbox, write_maildir
from mailferry_devstack.dovecot import DovecotOptions, DovecotServer, MailUser, stop_all
from mailferry_imap import Endpoint, MemoryStateStore, sync_mailbox

_LIST = re.compile(rb'^\((?P<flags>[^)]*)\) "(?P<sep>[^"]*)" (?P<name>.+)$')
_META = re.compile(rb"FLAGS \((?P<flags>[^)]*)\) INTERNALDATE \"(?P<date>[^\"]+)\"")

CHILD = """
import asyncio, json, sys
from mailferry_imap import Endpoint, sync_mailbox

def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

job = json.loads(sys.stdin.read())
report = asyncio.run(sync_mailbox(Endpoint(**job["source"]), Endpoint(**job["destination"])))
print(json.dumps({"status": report.status, "transferred": report.stats.transferred,
                  "bytes": report.stats.bytes, "peak_kb": peak_kb()}))
"""


def endpoint(server: DovecotServer, user: MailUser) -> Endpoint:
    return Endpoint(
        host=server.host,
        port=server.port,
        security="none",
        user=user.name,
        secret=SecretStr(user.password),
    )


def fill(server: DovecotServer, user: MailUser, spec: CorpusSpec) -> tuple[int, int]:
    summary = write_maildir(
        server.maildir(user.name), generate(spec), (server.mail_uid, server.mail_gid)
    )
    read_mailbox(server.host, server.port, user.name, user.password)  # index it once, as a warm-up
    return summary.total_messages, summary.total_bytes


def quote(name: bytes) -> str:
    text = name.decode()
    return text if text.startswith('"') else f'"{text}"'


def naive_copy(
    source: DovecotServer, src: MailUser, target: DovecotServer, dst: MailUser
) -> tuple[int, int]:
    """One connection per side; per message: FETCH flags, date and body, then APPEND."""
    messages = size = 0
    with (
        imaplib.IMAP4(source.host, source.port) as inbox,
        imaplib.IMAP4(target.host, target.port) as outbox,
    ):
        inbox.login(src.name, src.password)
        outbox.login(dst.name, dst.password)
        for line in inbox.list()[1]:
            match = _LIST.match(line) if isinstance(line, bytes) else None
            if match is None or b"\\Noselect" in match.group("flags"):
                continue
            folder = quote(match.group("name"))
            outbox.create(folder)
            count = int(inbox.select(folder, readonly=True)[1][0] or 0)
            for uid in (inbox.uid("SEARCH", "ALL")[1][0] or b"").split() if count else []:
                _, data = inbox.uid("FETCH", uid.decode(), "(FLAGS INTERNALDATE BODY.PEEK[])")
                meta, body = data[0]
                found = _META.search(meta)
                flags = "(" + found.group("flags").decode().replace("\\Recent", "").strip() + ")"
                outbox.append(folder, flags, '"' + found.group("date").decode() + '"', body)
                messages += 1
                size += len(body)
        inbox.logout()
        outbox.logout()
    return messages, size


async def native_copy(
    source: Endpoint, target: Endpoint, state: MemoryStateStore
) -> tuple[int, int, str]:
    report = await sync_mailbox(source, target, state=state)
    return report.stats.transferred, report.stats.bytes, report.status


async def noop_deltas(
    source: Endpoint, target: Endpoint, state: MemoryStateStore, runs: int
) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        report = await sync_mailbox(source, target, state=state)
        times.append(time.perf_counter() - started)
        if report.stats.transferred:
            print(f"   unexpected: the no-op delta copied {report.stats.transferred} messages")
    return times


def child_peak(source: Endpoint, target: Endpoint) -> dict[str, object]:
    job = {
        side: {**e.model_dump(), "secret": e.secret.get_secret_value()}
        for side, e in (("source", source), ("destination", target))
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def rate(messages: int, size: int, seconds: float) -> str:
    speed = f"{messages / seconds:7.0f} msgs/s {size / seconds / 1e6:6.1f} MB/s"
    return f"{speed} ({messages} msgs, {size / 1e6:.1f} MB in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=BENCH.messages)
    parser.add_argument("--megabytes", type=int, default=BENCH.total_bytes // 1_000_000)
    parser.add_argument("--huge-mb", type=int, default=25)
    parser.add_argument("--noop-runs", type=int, default=5)
    args = parser.parse_args()
    spec = CorpusSpec(messages=args.messages, total_bytes=args.megabytes * 1_000_000)
    with tempfile.TemporaryDirectory(prefix="mf-bench-") as tmp:
        source = DovecotServer(Path(tmp) / "source").start()
        exchange = DovecotOptions(mail_format="sdbox", folder_style="exchange")
        target = DovecotServer(Path(tmp) / "target", exchange).start()
        try:
            run(source, target, spec, args)
        finally:
            stop_all(source, target)


def run(
    source: DovecotServer, target: DovecotServer, spec: CorpusSpec, args: argparse.Namespace
) -> None:
    src = source.add_user("bench", "bench-source")
    count, size = fill(source, src, spec)
    ports = f"Dovecot {source.port} -> {target.port}"
    print(f"corpus: {count} messages, {size / 1e6:.1f} MB in 16 folders ({ports})")

    started = time.perf_counter()
    naive = naive_copy(source, src, target, target.add_user("naive", "naive-target"))
    naive_seconds = time.perf_counter() - started
    print(f"(a) naive imaplib loop:  {rate(*naive, naive_seconds)}")

    state = MemoryStateStore()
    native_target = endpoint(target, target.add_user("native", "native-target"))
    started = time.perf_counter()
    copied, copied_bytes, status = asyncio.run(
        native_copy(endpoint(source, src), native_target, state)
    )
    native_seconds = time.perf_counter() - started
    speedup = (copied / native_seconds) / (naive[0] / naive_seconds)
    native = rate(copied, copied_bytes, native_seconds)
    print(f"(b) native initial copy: {native} [{status}] = {speedup:.2f} x naive")

    times = asyncio.run(noop_deltas(endpoint(source, src), native_target, state, args.noop_runs))
    median, best = statistics.median(times), min(times)
    print(
        f"(c) native no-op delta:  median {median:.3f} s, best {best:.3f} s over {len(times)} runs"
    )

    big = source.add_user("bench-huge", "bench-huge-source")
    fill(
        source,
        big,
        CorpusSpec(spec.messages, spec.total_bytes, huge_bytes=args.huge_mb * 1_000_000),
    )
    peak = child_peak(endpoint(source, big), endpoint(target, target.add_user("rss", "rss-target")))
    peak_mb, copied_mb = int(peak["peak_kb"]) / 1024, int(peak["bytes"]) / 1e6
    print(
        f"(d) native peak RSS:     {peak_mb:.1f} MB copying {peak['transferred']} msgs "
        f"({copied_mb:.1f} MB, one of {args.huge_mb} MB) [{peak['status']}]"
    )


if __name__ == "__main__":
    main()
