"""Child-process helpers: tie a child's life to ours, and say how a process ended."""

import ctypes
import ctypes.util
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def _linux_die_with_parent() -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)

    def die_with_parent() -> None:
        # Runs in the child between fork and exec: if we are SIGKILLed, the kernel sends the
        # child SIGTERM, so no server or service outlives a supervisor that could not clean up.
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return die_with_parent


DIE_WITH_PARENT = _linux_die_with_parent()
"""``preexec_fn`` for children that must not outlive this process (``None`` off Linux)."""


def describe_exit(returncode: int) -> str:
    """``exit code 3`` or ``signal SIGKILL`` (negative return codes are signals)."""
    if returncode >= 0:
        return f"exit code {returncode}"
    try:
        return f"signal {signal.Signals(-returncode).name}"
    except ValueError:
        return f"signal {-returncode}"
