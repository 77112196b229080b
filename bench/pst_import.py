"""PST -> IMAP throughput of runner-pst's pipeline, next to readpst alone on the same files.

    uv run python bench/pst_import.py [--rounds 5] [--files a.pst b.ost ...]

Starts a private Dovecot (sdbox, Exchange-like names) and, for every PST fixture holding mail
(``tests/data/pst``; or ``--files``), ``--rounds`` times:

(a) readpst alone: ``readpst -r -8 -o DIR FILE`` into a fresh directory (what any PST import
    pays), messages = From_ lines it wrote;
(b) the import pipeline runner-pst runs for a StartUploadImport, minus NATS: independent count,
    readpst, per-folder comparison, upload into a fresh destination user (the shared uploader,
    APPEND pipelined), then STATUS per folder through the mapping (``verify_upload``);
(c) the same import again into the same user: a rerun, which must upload nothing.

Per file, the median over the rounds; then the totals: messages/s and MB/s of PST for (a) and
(b), and the message bytes uploaded per second for (b). It never asserts: the machine is shared
and figures vary.
"""

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from mailferry_devstack.dovecot import DovecotOptions, DovecotServer, MailUser
from mailferry_imap import Endpoint, SyncOptions, upload_messages, verify_upload
from mailferry_runner_pst.adapters.readpst import run_readpst
from mailferry_runner_pst.adapters.readpst_output import scan_output
from mailferry_runner_pst.counts import OutputFile
from mailferry_runner_pst.delivery import for_upload
from mailferry_runner_pst.folders import folder_filter
from mailferry_runner_pst.outcome import ExtractionOutcome
from mailferry_runner_pst.sources import PstHooks, Readpst, SourceOptions, prepare_pst

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "pst"
MAIL_FIXTURES = (
    "aspose-SampleOstFile.ost",
    "aspose-Test_part1.pst",
    "gopst-support.pst",
    "aspose-Outlook.pst",
    "aspose-passwordprotectedPST.pst",
    "pstsdk-sample1.pst",
    "pstsdk-submessage.pst",
    "rubymsg-attachAndInline.pst",
    "rubymsg-msgInMsg.pst",
    "rubymsg-200-recipients.pst",
)
MB = 1_000_000


@dataclass
class FileResult:
    """Median seconds over the rounds for one file."""

    name: str
    pst_bytes: int
    messages: int
    uploaded_bytes: int
    readpst_s: list[float] = field(default_factory=list)
    import_s: list[float] = field(default_factory=list)
    rerun_s: list[float] = field(default_factory=list)

    def row(self) -> str:
        alone, full, again = (statistics.median(t) for t in self.times())
        return (
            f"| {self.name} | {self.pst_bytes / MB:.2f} | {self.messages} | {alone * 1000:.0f} | "
            f"{full * 1000:.0f} | {again * 1000:.0f} | {self.messages / full:.0f} |"
        )

    def times(self) -> tuple[list[float], list[float], list[float]]:
        return self.readpst_s, self.import_s, self.rerun_s


def totals(results: list[FileResult]) -> list[str]:
    pst = sum(r.pst_bytes for r in results) / MB
    messages = sum(r.messages for r in results)
    uploaded = sum(r.uploaded_bytes for r in results) / MB
    alone, full, again = (sum(statistics.median(r.times()[i]) for r in results) for i in range(3))
    return [
        f"(a) readpst alone:     {messages} msgs in {alone:.2f} s = {messages / alone:.0f} msgs/s, "
        f"{pst / alone:.1f} MB/s of PST",
        f"(b) PST -> IMAP:       {messages} msgs in {full:.2f} s = {messages / full:.0f} msgs/s, "
        f"{pst / full:.1f} MB/s of PST, {uploaded / full:.1f} MB/s uploaded ({uploaded:.1f} MB)",
        f"(c) rerun, no upload:  {messages} msgs in {again:.2f} s = {messages / again:.0f} msgs/s",
        f"    import / readpst time: {full / alone:.1f} x",
    ]


async def readpst_alone(binary: str, path: Path, work: Path) -> tuple[float, int]:
    started = time.perf_counter()
    run = await run_readpst(binary, path, work, include_deleted=False)
    elapsed = time.perf_counter() - started
    if run.exit_code != 0:
        sys.exit(f"readpst failed on {path.name}: exit {run.exit_code}")
    return elapsed, scan_output(run.output_dir).total(OutputFile.MBOX)


async def pipeline(
    binary: str, path: Path, work: Path, destination: Endpoint
) -> tuple[float, int, int, int]:
    """(seconds, uploaded, bytes uploaded, already there) of one import."""
    options = SourceOptions({}, False, folder_filter([], []), 512 * 1024 * 1024)
    hooks = PstHooks(lambda _: None, _started, lambda _: None)
    started = time.perf_counter()
    prepared = await prepare_pst(path, work, Readpst(binary), options, hooks)
    if isinstance(prepared, ExtractionOutcome):
        sys.exit(f"{path.name}: {prepared.lines()}")
    report = await upload_messages(destination, for_upload(prepared.messages), SyncOptions())
    counts = {folder: e.messages for folder, e in prepared.expectations.items()}
    verified = await verify_upload(destination, counts)
    elapsed = time.perf_counter() - started
    if report.status != "success" or verified.destination_messages != verified.source_messages:
        sys.exit(f"{path.name}: {report.status} {report.error_message} {verified}")
    return elapsed, report.stats.transferred, report.stats.bytes, report.stats.skipped


async def _started(_: str) -> None:
    return None


def endpoint(server: DovecotServer, user: MailUser) -> Endpoint:
    return Endpoint(
        host=server.host, port=server.port, security="none", user=user.name,
        secret=SecretStr(user.password),
    )  # fmt: skip


async def measure(server: DovecotServer, files: list[Path], rounds: int, tmp: Path) -> None:
    binary = shutil.which("readpst") or sys.exit("readpst (pst-utils) is not installed")
    results: dict[Path, FileResult] = {}
    for round_ in range(rounds):
        for index, path in enumerate(files):
            work = tmp / f"r{round_}-{index}"
            for name in ("alone", "import", "rerun"):
                (work / name).mkdir(parents=True)
            alone, messages = await readpst_alone(binary, path, work / "alone")
            user = server.add_user(f"bench{round_}x{index}", f"pw-{round_}-{index}")
            target = endpoint(server, user)
            full, uploaded, size, _ = await pipeline(binary, path, work / "import", target)
            again, uploaded_again, _, _ = await pipeline(binary, path, work / "rerun", target)
            if uploaded_again or uploaded != messages:
                sys.exit(f"{path.name}: uploaded {uploaded} of {messages}, rerun {uploaded_again}")
            result = results.setdefault(
                path, FileResult(path.name, path.stat().st_size, messages, size)
            )
            result.readpst_s.append(alone)
            result.import_s.append(full)
            result.rerun_s.append(again)
            shutil.rmtree(work)
    print("| file | PST MB | msgs | readpst ms | import ms | rerun ms | import msgs/s |")
    print("|---|---|---|---|---|---|---|")
    for result in results.values():
        print(result.row())
    for line in totals(list(results.values())):
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each file is imported")
    parser.add_argument("--files", nargs="*", type=Path, help="PST/OST files (default: fixtures)")
    args = parser.parse_args()
    files = args.files or [DATA / name for name in MAIL_FIXTURES]
    size = sum(p.stat().st_size for p in files)
    print(f"{len(files)} files, {size / MB:.1f} MB, {args.rounds} rounds")
    with tempfile.TemporaryDirectory(prefix="mf-bench-pst-") as tmp:
        options = DovecotOptions(mail_format="sdbox", folder_style="exchange")
        with DovecotServer(Path(tmp) / "dovecot", options) as server:
            asyncio.run(measure(server, files, args.rounds, Path(tmp)))


if __name__ == "__main__":
    main()
