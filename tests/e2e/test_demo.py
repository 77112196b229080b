"""``./mailferry demo``: the stack comes up and runs the main job, through the gate, to verified."""

import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailferry_api.tokens.format import SERVICE_PREFIX
from mailferry_contracts import subjects
from mailferry_devstack.ports import free_port
from mailferry_devstack.postgres_cluster import PostgresCluster
from tests.integration.ops.test_devstack_up import Up

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(720)]


@pytest.fixture
def data_path() -> Iterator[Path]:
    # Not tmp_path: the postgres user must traverse it (see test_devstack_up).
    base = Path(tempfile.mkdtemp(prefix="mf-demo-"))
    yield base / "var"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def demo_env(data_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGRATION_")}
    return {**env, "MIGRATION_DATA_PATH": str(data_path), "MIGRATION_API_PORT": str(free_port())}


async def test_the_demo_runs_the_job_through_the_gate_to_verified_then_stops_cleanly(
    demo_env: dict[str, str],
    data_path: Path,
):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mailferry_devstack", "demo",
        env=demo_env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    demo = Up(process)
    try:
        try:
            await demo.read_until("both mail servers keep running", timeout=540)
        except TimeoutError:
            raise AssertionError(
                "the demo did not finish:\n" + "\n".join(demo.lines[-150:])
            ) from None
        code = await demo.stop()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        PostgresCluster(base_dir=data_path / "postgres").stop()

    text = "\n".join(demo.lines)
    assert code == 0, text
    for step in ("preflight", "initial sync", "delta sync", "verify"):
        assert f"demo | {step}: 3/3 mailboxes done" in text
    assert "alice success, 300 copied" in text
    assert "alice success, 25 copied" in text
    assert "verified alice@old.example: 325/325 messages" in text
    for line in (
        "demo | ops lead approved evaluation",
        f"demo | heard on {subjects.GATE_READY}: job ",
        "is ready_for_dns, approved by lead@localhost",
        "demo | wizard: the gate of old.example is ready_for_dns",
        "demo | wizard: reported the DNS cutover of old.example",
        "demo | phase delta_sync -> cutover_ready: the gate is ready_for_dns",
        "demo | phase cutover_ready -> dns_cutover: the provisioning wizard applied",
        "demo | phase final_sync -> verified",
        "demo | final sync: 3/3 mailboxes done",
        "demo | final verify: 3/3 mailboxes done",
        "demo | gate blocked -> warning",
        "demo | gate warning -> ready_for_dns",
    ):
        assert line in text, line
    assert SERVICE_PREFIX not in text  # the wizard's token is never printed
    assert "api/v1/docs" in text
    assert "stopped cleanly" in text
