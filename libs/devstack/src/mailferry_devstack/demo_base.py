"""What the demo's steps share: the ``Demo`` they work on, the story printer, run requests.

Each step is ``async def step(demo: Demo) -> None``; ``mailferry_devstack.demo.STEPS`` lists
them in order.
"""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mailferry_bus import Bus
from mailferry_devstack.demo_http import ApiClient
from mailferry_devstack.demo_mail import DemoMail
from mailferry_devstack.environment import Stack

DOMAIN = "old.example"
POLL_S = 1.0


def say(text: str) -> None:
    """One line of the demo's story, next to the services' logs."""
    sys.stdout.write(f"demo | {text}\n")
    sys.stdout.flush()


@dataclass
class Demo:
    """What the steps share: the stack, the API clients, the bus, the mail servers and the job."""

    stack: Stack
    api: ApiClient
    mail: DemoMail
    lead: ApiClient
    """The ops lead's client: approves the gate."""
    wizard: ApiClient
    """The provisioning wizard's client (a service token, never printed)."""
    bus: Bus
    """The stack's NATS, to hear gate_ready and follow the job's gate and phase."""
    users: list[tuple[str, str, str, int]] = field(default_factory=list)
    job_id: str = ""
    mailbox_ids: list[str] = field(default_factory=list)
    background: list["asyncio.Task[None]"] = field(default_factory=list)


Step = Callable[[Demo], Awaitable[None]]


async def run_request(demo: Demo, label: str, action: str, body: dict[str, Any] | None) -> None:
    """POST a run request and print progress until every mailbox's run of it ended."""
    answer = await demo.api.post(f"jobs/{demo.job_id}/{action}", body)
    request_id = str(answer["request_id"])
    say(f"{label}: requested")
    shown = ""
    while True:
        runs = await _runs_of(demo, request_id)
        progress = await demo.api.get(f"jobs/{demo.job_id}/progress")
        line = _progress_line(label, len(demo.mailbox_ids), runs, progress)
        if line != shown:
            say(line)
            shown = line
        if len(runs) == len(demo.mailbox_ids) and all(r["finished_at"] for r in runs):
            break
        await asyncio.sleep(POLL_S)
    names = dict(zip(demo.mailbox_ids, (user for user, *_ in demo.users), strict=True))
    for run in runs:
        say(f"{label}: {names[run['mailbox_id']]} {_outcome(run)}")


def _outcome(run: dict[str, Any]) -> str:
    stats = run["stats"] or {}
    synced = run["run_type"] in {"initial", "delta", "final"}
    copied = f", {stats.get('transferred', 0)} copied" if synced else ""
    error = f" ({run['error_class']}: {run['error_message']})" if run["error_class"] else ""
    return f"{run['status']}{copied}{error}"


async def _runs_of(demo: Demo, request_id: str) -> list[dict[str, Any]]:
    runs = []
    for mailbox_id in demo.mailbox_ids:
        page = await demo.api.get(f"mailboxes/{mailbox_id}/runs?limit=200")
        runs += [r for r in page["items"] if r["request_id"] == request_id]
    return runs


def _progress_line(
    label: str, expected: int, runs: list[dict[str, Any]], progress: dict[str, Any]
) -> str:
    finished = sum(1 for r in runs if r["finished_at"])
    line = f"{label}: {finished}/{expected} mailboxes done"
    if progress["active"]:
        eta = progress["eta_seconds"]
        line += (
            f", {progress['messages_done']}/{progress['messages_total']} messages copied"
            f" ({progress['percent']:.0f} %), {progress['rate_messages']:.0f} msgs/s"
            + (f", ETA {eta:.0f} s" if eta is not None else "")
        )
    return line
