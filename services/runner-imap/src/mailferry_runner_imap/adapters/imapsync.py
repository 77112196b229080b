"""imapsync as a subprocess: argv (never a secret in it), private passfiles, streaming, cancel.

Passwords reach imapsync only through 0600 passfiles in a 0700 directory private to the run,
removed when the run ends (also on cancel or error; a runner killed outright leaves it to the
next start's sweep). imapsync runs in its own process group so that a cancel can stop it and
anything it spawned, and it dies with the runner (PDEATHSIG) so a killed runner does not leave
an orphan copying next to the runner that takes the command over.
"""

import contextlib
import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mailferry_contracts.common import ServerSettings, Tool
from mailferry_contracts.runs import ImapWork, RunStats, StartPreflight, StartSync, StartVerify
from mailferry_runner_imap.adapters.process import run_process
from mailferry_runner_imap.engine import (
    EngineIO,
    EngineOutcome,
    InvalidInputError,
    PreflightReport,
    Secrets,
    VerifyReport,
)
from mailferry_runner_imap.progress import ProgressReader
from mailferry_runner_imap.summary import LogSummary, SummaryReader
from mailferry_runner_imap.sync import (
    Step,
    Verdict,
    classify,
    normalize_exit,
    plan,
    preflight_report,
    verify_report,
)

_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$|^\[?[0-9A-Fa-f:.]+\]?$")
_RUN_DIR_PREFIX = "imapsync-"


class UnsafeArgumentError(InvalidInputError):
    """A value would change imapsync's command line (option injection, CR/LF)."""


@dataclass(frozen=True)
class RunPaths:
    """Files of one imapsync invocation, all inside a private directory."""

    root: Path

    @property
    def passfile1(self) -> Path:
        return self.root / "pass1"

    @property
    def passfile2(self) -> Path:
        return self.root / "pass2"

    @property
    def logdir(self) -> Path:
        return self.root / "log"

    @property
    def logfile(self) -> str:
        return "imapsync.log"

    @property
    def pidfile(self) -> Path:
        return self.root / "imapsync.pid"

    @property
    def tmpdir(self) -> Path:
        return self.root / "tmp"


def safe(field: str, value: str) -> str:
    """Refuse values that imapsync would read as an option or that break a log line."""
    if not value or value.startswith("-") or any(c in value for c in "\r\n\0"):
        raise UnsafeArgumentError(f"{field} {value[:40]!r} is not allowed on the command line")
    return value


def safe_host(field: str, host: str) -> str:
    if not _HOST.match(safe(field, host)):
        raise UnsafeArgumentError(f"{field} {host[:40]!r} is not a host name or address")
    return host


def _server_args(side: int, server: ServerSettings, user: str, passfile: Path) -> list[str]:
    args = [
        f"--host{side}",
        safe_host(f"host{side}", server.host),
        f"--port{side}",
        str(server.port),
    ]
    args += [f"--user{side}", safe(f"user{side}", user), f"--passfile{side}", str(passfile)]
    if server.security == "ssl":
        args.append(f"--ssl{side}")
    elif server.security == "starttls":
        args.append(f"--tls{side}")
    else:
        args += [f"--nossl{side}", f"--notls{side}"]
    if server.security != "none":
        mode = "1" if server.verify_tls else "0"
        args += [f"--sslargs{side}", f"SSL_verify_mode={mode}"]
    return args


def _folder_args(work: ImapWork) -> list[str]:
    args: list[str] = []
    for folder in work.options.include_folders:
        args += ["--folder", safe("include folder", folder)]
    for pattern in work.options.exclude_folders:
        args += ["--exclude", safe("exclude folder", pattern)]
    for source, target in {**work.options.folder_map, **work.folder_map}.items():
        if "=" in source:
            raise UnsafeArgumentError(f"folder map source {source[:40]!r} contains '='")
        args += [
            "--f1f2",
            f"{safe('folder map source', source)}={safe('folder map target', target)}",
        ]
    return args


def _step_args(step: Step, work: ImapWork) -> list[str]:
    if step == Step.LOGIN:
        return ["--justlogin"]
    if step == Step.SIZES:
        return ["--justfoldersizes"]
    return ["--nofoldersizes", "--nofoldersizesatend"] + (["--dry"] if work.options.dry_run else [])


def build_argv(
    binary: Path, work: ImapWork, step: Step, paths: RunPaths, max_messages_per_second: float = 0.0
) -> list[str]:
    """Argv of imapsync for one step. Passwords are only ever named by passfile path."""
    argv = [str(binary)]
    argv += _server_args(1, work.source, work.source_user, paths.passfile1)
    argv += _server_args(2, work.destination, work.target_user, paths.passfile2)
    argv += ["--automap", "--syncinternaldates", "--useheader", "Message-Id"]
    argv += ["--errorsmax", str(work.options.errors_max)]
    argv += _folder_args(work) + _step_args(step, work)
    # Explicit paths: imapsync's defaults move inside containers and collide between runs.
    argv += ["--log", "--logdir", str(paths.logdir), "--logfile", paths.logfile]
    argv += ["--pidfile", str(paths.pidfile), "--pidfilelocking", "--tmpdir", str(paths.tmpdir)]
    argv += ["--noreleasecheck"]
    if max_messages_per_second > 0:
        argv += ["--maxmessagespersecond", f"{max_messages_per_second:g}"]
    return argv


@contextlib.contextmanager
def private_run_dir(work_dir: Path, secrets: Secrets) -> Iterator[RunPaths]:
    """A 0700 directory with the two 0600 passfiles; removed on the way out, whatever happens."""
    work_dir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=f"{_RUN_DIR_PREFIX}{os.getpid()}-", dir=work_dir))
    paths = RunPaths(root)
    try:
        _write_secret(paths.passfile1, secrets.source)
        _write_secret(paths.passfile2, secrets.target)
        paths.logdir.mkdir(mode=0o700)
        paths.tmpdir.mkdir(mode=0o700)
        yield paths
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _write_secret(path: Path, secret: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")


def sweep_stale_run_dirs(work_dir: Path) -> int:
    """Remove run directories of runner processes that no longer exist (killed outright)."""
    removed = 0
    for path in work_dir.glob(f"{_RUN_DIR_PREFIX}*"):
        pid = path.name.removeprefix(_RUN_DIR_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def command_line(argv: list[str]) -> str:
    """The argv as one shell-quoted string, for RunStarted (it holds no secret)."""
    return shlex.join(argv)


class ImapsyncEngine:
    """The production engine: imapsync with passfiles, parsed output and classified exits."""

    def __init__(
        self, binary: Path, kill_grace_s: float = 10.0, max_messages_per_second: float = 0.0
    ) -> None:
        self.binary = binary
        self._grace = kill_grace_s
        self._pace = max_messages_per_second

    @property
    def tool(self) -> Tool:
        return Tool.IMAPSYNC

    async def preflight(
        self, work: StartPreflight, secrets: Secrets, io: EngineIO
    ) -> EngineOutcome:
        verdict, summary, code = await self._steps(work, secrets, io)
        report = preflight_report(summary, ok=verdict.ok)
        return _outcome(verdict, code, preflight=report)

    async def sync(self, work: StartSync, secrets: Secrets, io: EngineIO) -> EngineOutcome:
        verdict, _, code = await self._steps(work, secrets, io)
        return _outcome(verdict, code)

    async def verify(self, work: StartVerify, secrets: Secrets, io: EngineIO) -> EngineOutcome:
        verdict, summary, code = await self._steps(work, secrets, io)
        report = verify_report(summary) if verdict.ok else None
        return _outcome(verdict, code, verification=report)

    async def _steps(
        self, work: ImapWork, secrets: Secrets, io: EngineIO
    ) -> tuple[Verdict, LogSummary, int | None]:
        result: tuple[Verdict, LogSummary, int | None] | None = None
        for step in plan(work):
            result = await self._step(work, step, secrets, io)
            if not result[0].ok:
                break
        assert result is not None  # noqa: S101 - every plan has a step
        return result

    async def _step(
        self, work: ImapWork, step: Step, secrets: Secrets, io: EngineIO
    ) -> tuple[Verdict, LogSummary, int | None]:
        summary, progress = SummaryReader(), ProgressReader()

        def on_line(line: str) -> None:
            io.log(line)
            summary.feed(line)
            if (update := progress.feed(line)) is not None:
                io.progress(update)

        with private_run_dir(io.work_dir, secrets) as paths:
            argv = build_argv(self.binary, work, step, paths, self._pace)
            await io.started(command_line(argv))
            try:
                code: int | None = await run_process(
                    argv, paths.root, on_line, io.cancel, self._grace
                )
            except OSError as exc:
                io.log(f"imapsync could not be started: {exc.strerror}")
                code = None
        result = summary.result()
        return classify(step, code, result), result, code


def _outcome(
    verdict: Verdict,
    code: int | None,
    preflight: PreflightReport | None = None,
    verification: VerifyReport | None = None,
) -> EngineOutcome:
    return EngineOutcome(
        status=verdict.status,
        error_class=verdict.error_class,
        message=verdict.message,
        exit_code=normalize_exit(code),
        stats=verdict.stats or RunStats(),
        preflight=preflight,
        verification=verification,
    )
