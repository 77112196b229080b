"""The supervisor with real child processes standing in for services (``fake_service``)."""

import asyncio
import io
import os
import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from mailferry_bus.health import probe
from mailferry_devstack.catalog import ServiceSpec
from mailferry_devstack.environment import Stack
from mailferry_devstack.logs import LogFormat, LogSink
from mailferry_devstack.ports import free_port
from mailferry_devstack.restart import RestartPolicy
from mailferry_devstack.supervisor import Supervisor
from tests.fixtures.waiting import wait_for
from tests.integration.ops.leftovers import gone

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
FAKE = "tests.integration.ops.fake_service"
QUICK_RESTARTS = RestartPolicy(initial_s=0.05, factor=2.0, max_s=0.5, stable_after_s=60.0)


def make_stack(tmp_path: Path) -> Stack:
    return Stack(
        nats_url="nats://127.0.0.1:1",
        database_url="postgresql://postgres@127.0.0.1:1/mailferry",
        api_port=free_port(),
        data_path=tmp_path,
        credentials_key_file=tmp_path / "credentials.keys",
        jwt_secret=SecretStr("test-secret"),
    )


def make_supervisor(stack, services, out, **kwargs) -> Supervisor:
    names = ["devstack", *(s.name for s in services)]
    return Supervisor(
        stack,
        services,
        LogSink(out, LogFormat.for_names(names, color=False)),
        base_env={**os.environ, "PYTHONPATH": str(ROOT)},
        policy=QUICK_RESTARTS,
        **{"grace_s": 5.0, **kwargs},
    )


async def test_services_are_restarted_logged_and_stopped_with_everything_they_spawned(tmp_path):
    services = [ServiceSpec("crashy", FAKE), ServiceSpec("stubborn", FAKE)]
    out = io.StringIO()
    supervisor = make_supervisor(make_stack(tmp_path), services, out, grace_s=1.0)
    run = asyncio.create_task(supervisor.run())

    await wait_for(lambda: "stack ready (crashy, stubborn)" in out.getvalue(), timeout=60)
    pids = [int(pid) for pid in re.findall(r"started \(pid (\d+)\)", out.getvalue())]
    grandchildren = [
        int((tmp_path / "services" / s.name / "grandchild.pid").read_text()) for s in services
    ]
    supervisor.request_stop("test")
    await asyncio.wait_for(run, 60)

    log = out.getvalue()
    assert "crashy   | hello from crashy" in log
    assert log.count("crashy   | hello from crashy") == 2
    assert "devstack | crashy exited unexpectedly (exit code 3)" in log
    assert "devstack | crashy will be restarted in 0.1s" in log
    assert "devstack | crashy stopped (exit code 0)" in log
    assert "crashy   | crashy got SIGTERM" in log
    assert "devstack | stubborn did not stop within 1s: SIGKILL" in log
    assert "devstack | stubborn stopped (signal SIGKILL)" in log
    assert len(pids) == 3
    assert all(gone(pid) for pid in [*pids, *grandchildren])


async def test_the_api_url_is_announced_and_the_scenario_runs_once_the_api_is_healthy(tmp_path):
    seen: list[tuple[str, bool]] = []

    async def scenario(stack: Stack) -> None:
        seen.append((stack.api_url, await probe(f"{stack.api_url}healthz")))

    out = io.StringIO()
    stack = make_stack(tmp_path)
    api = ServiceSpec("api", FAKE, http=True)
    supervisor = make_supervisor(stack, [api], out, scenario=("check", scenario))
    run = asyncio.create_task(supervisor.run())

    await wait_for(lambda: "scenario check: done" in out.getvalue(), timeout=60)
    supervisor.request_stop("test")
    await asyncio.wait_for(run, 60)

    log = out.getvalue()
    assert seen == [(stack.api_url, True)]
    assert log.index(f"mailferry is up: {stack.api_url}") < log.index("scenario check: running")


async def test_a_failing_scenario_is_reported_and_the_stack_keeps_running(tmp_path):
    async def scenario(stack: Stack) -> None:
        raise RuntimeError("demo data could not be loaded")

    out = io.StringIO()
    supervisor = make_supervisor(make_stack(tmp_path), [], out, scenario=("broken", scenario))
    run = asyncio.create_task(supervisor.run())

    await wait_for(lambda: "scenario broken: failed" in out.getvalue(), timeout=30)
    assert not run.done()
    supervisor.request_stop("test")
    await asyncio.wait_for(run, 30)

    assert "RuntimeError: demo data could not be loaded" in out.getvalue()
    assert "devstack | every service stopped" in out.getvalue()
