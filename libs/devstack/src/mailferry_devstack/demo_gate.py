"""The demo through the gate: approve, gate_ready, the wizard's DNS cutover, final sync, verified.

``follow_job`` prints every gate and phase change as the gate service logs it. Then an ops lead
approves the evaluation the gate reached after the verification, ``migration.gate_ready`` is
heard on NATS, a simulated provisioning wizard (its own service token) reads the gate of the
domain and reports the DNS cutover, and the final sync and verification make the job verified.
"""

import asyncio
import contextlib
from typing import Any

from nats.aio.subscription import Subscription

from mailferry_bus import utc_now
from mailferry_contracts import Envelope, UndecodableMessageError, decode, subjects
from mailferry_contracts.gate import GateEvaluated, GateReady
from mailferry_contracts.jobs import PhaseChanged
from mailferry_contracts.subjects import AGGREGATE_JOB
from mailferry_devstack.demo_base import DOMAIN, POLL_S, Demo, Step, run_request, say
from mailferry_devstack.demo_http import DemoApiError

WAIT_S = 300
SHOWN = 160
SETTLED = ("warning", "ready_for_dns")


def change_line(envelope: Envelope[Any]) -> str | None:
    """The story line of a gate or phase change; None for anything else."""
    event = envelope.payload
    if isinstance(event, PhaseChanged):
        return f"phase {event.from_phase.value} -> {event.to_phase.value}: {event.cause}"
    if isinstance(event, GateEvaluated) and event.gate != event.previous_gate:
        before = event.previous_gate.value if event.previous_gate else "(new)"
        return f"gate {before} -> {event.gate.value}: {_short(event.reason)}"
    return None


async def follow_job(demo: Demo) -> None:
    """Print every gate and phase change of the job from now on."""
    subject = subjects.aggregate_subjects(AGGREGATE_JOB, demo.job_id)
    subscription = await demo.bus.nc.subscribe(subject)
    demo.background.append(asyncio.create_task(_print_changes(subscription)))
    say("following the job's gate and phase")


async def approve_gate(demo: Demo) -> None:
    """The ops lead approves the evaluation on the screen; gate_ready is heard on NATS."""
    notifications = await demo.bus.nc.subscribe(subjects.GATE_READY)
    try:
        await _approve(demo)
        message = await notifications.next_msg(timeout=WAIT_S)
    finally:
        await notifications.unsubscribe()
    ready = GateReady.model_validate_json(message.data)
    say(
        f"heard on {subjects.GATE_READY}: job {ready.job_id} ({ready.domain}) is "
        f"{ready.gate.value}, approved by {ready.approved_by} at {ready.approved_at}"
    )
    say("  checks: " + ", ".join(f"{c.name.value} {c.status.value}" for c in ready.checks))


async def dns_cutover(demo: Demo) -> None:
    """The wizard reads the gate of the domain, switches the MX (simulated) and reports it."""
    gate = await _wizard_gate(demo)
    say(f"wizard: the gate of {DOMAIN} is {gate['gate']} (job {gate['job_id']})")
    body = {
        "job_id": gate["job_id"],
        "applied_at": utc_now().isoformat(),
        "details": f"simulated: MX of {DOMAIN} now points at the destination",
    }
    answer = await demo.wizard.post("dns-applied", body)
    say(f"wizard: reported the DNS cutover of {answer['domain']} at {answer['applied_at']}")
    await _phase(demo, "dns_cutover")


async def final_sync(demo: Demo) -> None:
    await run_request(demo, "final sync", "sync", {"mode": "final"})


async def final_verify(demo: Demo) -> None:
    await run_request(demo, "final verify", "verify", None)
    job = await _phase(demo, "verified")
    say(f"job {demo.job_id} is verified: {job['messages_dest']}/{job['messages_source']} messages")


GATE_STEPS: list[Step] = [approve_gate, dns_cutover, final_sync, final_verify]
"""After the verification: through the gate to a verified job."""


async def _print_changes(subscription: Subscription) -> None:
    try:
        async for message in subscription.messages:
            with contextlib.suppress(UndecodableMessageError):
                line = change_line(decode(message.data))
                if line:
                    say(line)
    finally:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()


async def _approve(demo: Demo) -> None:
    for _ in range(3):
        gate = await _settled_gate(demo)
        for check in gate["checks"]:
            say(f"  {check['name']}: {check['status']} - {_short(check['message'])}")
        body = {"evaluation_id": gate["evaluation_id"], "comment": "approved by the demo"}
        try:
            await demo.lead.post(f"jobs/{demo.job_id}/approve-gate", body)
        except DemoApiError as exc:
            if "stale_evaluation" not in str(exc):
                raise
            say("the gate moved on meanwhile; looking again")
            continue
        say(f"ops lead approved evaluation {gate['evaluation_id']}")
        return
    raise RuntimeError("the gate kept changing; approve it from the API when it settles")


async def _settled_gate(demo: Demo) -> dict[str, Any]:
    """The gate once it is warning (or ready); raise with the failing checks otherwise."""
    gate: dict[str, Any] = {}
    for _ in range(int(WAIT_S / POLL_S)):
        gate = await demo.lead.get(f"jobs/{demo.job_id}/gate")
        if gate["evaluation_id"] and gate["gate"] in SETTLED:
            say(f"gate is {gate['gate']} (evaluation {gate['evaluation_id']}):")
            return gate
        await asyncio.sleep(POLL_S)
    failing = [f"{c['name']}: {c['message']}" for c in gate.get("checks", [])]
    raise RuntimeError(f"the gate stayed {gate.get('gate')}: " + "; ".join(failing))


async def _wizard_gate(demo: Demo) -> dict[str, Any]:
    try:
        gate: dict[str, Any] = await demo.wizard.get(f"gate?domain={DOMAIN}")
    except DemoApiError as exc:
        if "several_open_jobs" not in str(exc):
            raise
        say(f"wizard: several open jobs migrate {DOMAIN} (earlier demo runs): asking by job id")
        gate = await demo.wizard.get(f"gate?job_id={demo.job_id}")
    return gate


async def _phase(demo: Demo, phase: str) -> dict[str, Any]:
    job: dict[str, Any] = {}
    for _ in range(int(WAIT_S / POLL_S)):
        job = await demo.api.get(f"jobs/{demo.job_id}")
        if job["phase"] == phase:
            return job
        await asyncio.sleep(POLL_S)
    raise RuntimeError(f"job {demo.job_id} stayed in phase {job.get('phase')}, not {phase}")


def _short(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."
