"""The demo scenario of ``./mailferry demo``: the main job, start to end, over the HTTP API.

Two local Dovecot servers (a source with a generated corpus, an empty destination), a job of
three mailboxes created and filled through the API (a CSV upload, with a token for a local demo
user), then preflight, initial sync, delta and verify, with progress lines on the way and the
API URL to watch it. Then through the gate (``demo_gate``): an ops lead approves, gate_ready
is heard on NATS, a simulated wizard reports the DNS cutover, final sync, verify, verified. Every
gate and phase change is printed as it happens. The mail servers stay up until Ctrl-C.

The steps are a list (``STEPS``): each is ``async def step(demo: Demo) -> None`` working on the
shared ``Demo``. The demo user is a technician; the ops lead and the wizard (a service token,
issued at start and never printed) have clients of their own.
"""

import asyncio
from pathlib import Path

from mailferry_bus import BusSettings, open_bus
from mailferry_devstack.demo_base import DOMAIN, Demo, Step, run_request, say
from mailferry_devstack.demo_gate import GATE_STEPS, follow_job
from mailferry_devstack.demo_http import ApiClient, demo_token, wizard_token
from mailferry_devstack.demo_mail import DemoMail
from mailferry_devstack.environment import Stack

NEW_MAIL = 25
LEAD_USER = "lead@localhost"


async def create_job(demo: Demo) -> None:
    source, destination = demo.mail.source, demo.mail.destination
    body = {
        "domain": DOMAIN,
        "source": {"host": source.host, "port": source.port, "security": "none"},
        "destination": {"host": destination.host, "port": destination.port, "security": "none"},
        "concurrency_limit": 2,
        "per_host_limit": 2,
        "notes": "the demo job of ./mailferry demo",
    }
    demo.job_id = str((await demo.api.post("jobs", body))["job_id"])
    say(f"job {demo.job_id} created")


async def upload_mailboxes(demo: Demo) -> None:
    lines = ["source_email,source_user,source_password,target_email,target_user,target_password"]
    for user, source_pw, target_pw, _ in demo.users:
        lines.append(f"{user}@{DOMAIN},{user},{source_pw},{user}@new.example,{user},{target_pw}")
    answer = await demo.api.post_csv(
        f"jobs/{demo.job_id}/mailboxes", ("\n".join(lines) + "\n").encode()
    )
    demo.mailbox_ids = [str(m) for m in answer["mailbox_ids"]]
    say(f"{len(demo.mailbox_ids)} mailboxes imported from a CSV (passwords went to the vault)")


async def preflight(demo: Demo) -> None:
    await run_request(demo, "preflight", "preflight", None)


async def initial_sync(demo: Demo) -> None:
    await run_request(demo, "initial sync", "sync", {"mode": "initial"})


async def delta_sync(demo: Demo) -> None:
    user, source_pw, _, _ = demo.users[0]
    count = await asyncio.to_thread(demo.mail.new_mail, user, source_pw, NEW_MAIL)
    say(f"{count} new messages arrived for {user} at the source")
    await run_request(demo, "delta sync", "sync", {"mode": "delta"})


async def verify(demo: Demo) -> None:
    await run_request(demo, "verify", "verify", None)
    answer = await demo.api.get(f"jobs/{demo.job_id}/verify")
    for item in answer["items"]:
        say(
            f"verified {item['source_email']}: {item['messages_dest']}/{item['messages_source']}"
            f" messages at the destination (ratio {item['verify_ratio']})"
        )


STEPS: list[Step] = [
    create_job, follow_job, upload_mailboxes, preflight, initial_sync, delta_sync, verify,
    *GATE_STEPS,
]  # fmt: skip
"""The demo, in order."""


async def run(stack: Stack) -> None:
    """The scenario hook of ``python -m mailferry_devstack demo``."""
    token = await asyncio.to_thread(demo_token, stack)
    lead = await asyncio.to_thread(demo_token, stack, LEAD_USER, "ops_lead")
    wizard = await asyncio.to_thread(wizard_token, stack)
    token_file = _save_token(stack.data_path, token)
    bus = await open_bus(BusSettings(nats_url=stack.nats_url), "mailferry-demo", ensure=False)
    mail = await asyncio.to_thread(DemoMail.start)
    url = stack.api_url
    demo = Demo(
        stack, ApiClient(url, token), mail, ApiClient(url, lead), ApiClient(url, wizard), bus
    )
    try:
        demo.users = await asyncio.to_thread(mail.add_users)
        ports = (mail.source.port, mail.destination.port)
        say("source IMAP 127.0.0.1:{}, destination IMAP 127.0.0.1:{}".format(*ports))
        say(f"watch it: {stack.api_url}api/v1/docs  (token of {token_file.name}: {token_file})")
        for step in STEPS:
            await step(demo)
        say(f"done. Job progress: curl -H \"Authorization: Bearer $(cat {token_file})\" "
            f"{stack.api_url}api/v1/migration/jobs/{demo.job_id}/progress")  # fmt: skip
        say("the stack and both mail servers keep running; Ctrl-C stops everything")
        await asyncio.Event().wait()
    finally:
        for task in demo.background:
            task.cancel()
        await bus.close()
        await asyncio.to_thread(mail.stop)


def _save_token(data_path: Path, token: str) -> Path:
    path = data_path / "demo-token"
    path.touch(mode=0o600)
    path.write_text(token + "\n")
    return path
