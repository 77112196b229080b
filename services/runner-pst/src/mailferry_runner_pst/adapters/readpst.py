"""Run readpst into a fresh private directory and capture its progress lines.

Options, and why: ``-r`` one directory per folder; ``-8`` UTF-8 bodies where the PST has them;
``-D`` only when deleted items are requested; never ``-j`` (its forked workers skip items
nondeterministically and always exit 0); no ``-w``: the output directory is created here and
must not exist yet, so readpst never writes ``mbox00000001`` beside a stale ``mbox``. ``-b``
(drop the ``rtf-body.rtf`` attachment) is off by default: a message whose only body is RTF
would arrive empty; callers may pass ``keep_rtf_body=False`` to trade that for size.
"""

import asyncio
import os
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

OUTPUT_DIR_NAME = "readpst-out"
_STDERR_LIMIT = 64 * 1024


class ToolMissingError(Exception):
    """readpst is not installed (error class ``tool_missing``)."""

    error_class = "tool_missing"


@dataclass(frozen=True)
class ReadpstRun:
    """One finished readpst process: argv, exit code, stdout lines, stderr tail."""

    argv: tuple[str, ...]
    exit_code: int
    stdout: tuple[str, ...]
    stderr: str
    output_dir: Path


def resolve_binary(configured: str | None) -> str:
    """The readpst to run: the configured path, else the one on PATH."""
    candidate = configured or shutil.which("readpst")
    if not candidate or not os.access(candidate, os.X_OK):
        raise ToolMissingError(f"readpst not found ({configured or 'not on PATH'})")
    return candidate


def build_argv(
    binary: str, pst_path: Path, output_dir: Path, *, include_deleted: bool, keep_rtf_body: bool
) -> tuple[str, ...]:
    options = ["-r", "-8"]
    if include_deleted:
        options.append("-D")
    if not keep_rtf_body:
        options.append("-b")
    # "--" ends options: the PST path can never be read as one.
    return (binary, *options, "-o", str(output_dir), "--", str(pst_path))


async def run_readpst(
    binary: str,
    pst_path: Path,
    work_dir: Path,
    *,
    include_deleted: bool,
    keep_rtf_body: bool = True,
    on_line: Callable[[str], None] | None = None,
) -> ReadpstRun:
    """Extract ``pst_path`` into ``work_dir/readpst-out`` (created here; must not exist)."""
    output_dir = work_dir / OUTPUT_DIR_NAME
    output_dir.mkdir(mode=0o700)
    argv = build_argv(
        binary, pst_path, output_dir, include_deleted=include_deleted, keep_rtf_body=keep_rtf_body
    )
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = await asyncio.gather(
            _lines(process.stdout, on_line), _tail(process.stderr)
        )
        exit_code = await process.wait()
    except asyncio.CancelledError:
        _kill_group(process)
        await process.wait()
        raise
    return ReadpstRun(argv, exit_code, tuple(stdout), stderr, output_dir)


async def _lines(
    stream: asyncio.StreamReader | None, on_line: Callable[[str], None] | None
) -> list[str]:
    lines: list[str] = []
    if stream is None:
        return lines
    async for raw in stream:
        line = raw.decode("utf-8", errors="replace").rstrip("\n")
        lines.append(line)
        if on_line is not None:
            on_line(line)
    return lines


async def _tail(stream: asyncio.StreamReader | None) -> str:
    if stream is None:
        return ""
    data = await stream.read()
    return data[-_STDERR_LIMIT:].decode("utf-8", errors="replace")


def _kill_group(process: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
