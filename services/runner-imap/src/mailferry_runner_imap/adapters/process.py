"""A tool as a subprocess: its own process group, line streaming, cancel, death with the runner.

The child runs in a new session so that a cancel can signal it and anything it spawned, and it
gets SIGTERM when the runner dies (PDEATHSIG): a runner killed outright must not leave an orphan
copying next to the runner that takes its command over.
"""

import asyncio
import contextlib
import ctypes
import os
import signal
from collections.abc import Callable
from pathlib import Path

_LINE_LIMIT = 1024 * 1024
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: only an async-signal-safe syscall here.
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_LIBC = ctypes.CDLL(None, use_errno=True)


async def run_process(
    argv: list[str],
    cwd: Path,
    on_line: Callable[[str], None],
    cancel: asyncio.Event,
    kill_grace_s: float = 10.0,
) -> int:
    """Run argv in its own process group, feeding each output line to ``on_line``.

    When ``cancel`` is set, the group gets SIGTERM (imapsync then prints its statistics), and
    SIGKILL after ``kill_grace_s``. Returns the exit status (negative: killed by that signal).
    """
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "LANG": "C.UTF-8"}
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
        # preexec_fn only calls prctl: no Python state is touched between fork and exec.
        preexec_fn=_die_with_parent,
        limit=_LINE_LIMIT,
    )
    reader = asyncio.create_task(_pump(proc, on_line))
    stopper = asyncio.create_task(_stop_on(cancel, proc, kill_grace_s))
    try:
        await reader
        return await proc.wait()
    finally:
        stopper.cancel()
        if proc.returncode is None:
            _signal_group(proc.pid, signal.SIGKILL)
            await proc.wait()


async def _pump(proc: asyncio.subprocess.Process, on_line: Callable[[str], None]) -> None:
    assert proc.stdout is not None  # noqa: S101 - requested above
    while raw := await proc.stdout.readline():
        on_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"))


async def _stop_on(cancel: asyncio.Event, proc: asyncio.subprocess.Process, grace: float) -> None:
    await cancel.wait()
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        _signal_group(proc.pid, signal.SIGKILL)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
