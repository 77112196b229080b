"""Issue 5: key rotation re-encrypts every secret and the migration still works; a wrong key
fails loudly at start. The whole stack, real Dovecot, the rotate command as an operator runs it.
"""

import subprocess
import sys

import pytest

from mailferry_devstack.corpus import CorpusSpec
from mailferry_vault import generate_key_spec
from tests.e2e import operator as op
from tests.e2e.test_imap_migration import identical, job_with, pair_for, sync

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
TINY = CorpusSpec(messages=20, total_bytes=200_000)


def run_module(stack, module: str, key: str, *args: str, timeout: float = 60):
    """``python -m module`` against the stack's NATS with the given key ring; ends by itself."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=stack.env(module, MIGRATION_CREDENTIALS_KEY=key),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


async def test_rotate_then_delta_under_the_new_key_alone_and_a_wrong_key_refuses_to_start(
    http, stack, dovecot_pair
):
    accounts = [op.new_account("rot") for _ in range(2)]
    pairs = [pair_for(dovecot_pair, account) for account in accounts]
    for pair in pairs:
        pair.fill_source(TINY)
    job_id, ids = await job_with(http, dovecot_pair, accounts)
    initial = await sync(http, job_id, ids, "initial")
    assert {run["status"] for run in initial.values()} == {"success"}

    old, new = stack.credentials_key, generate_key_spec("rotated")
    stack.stop()
    rotation = run_module(stack, "mailferry_vault", f"{new},{old}", "rotate")
    assert rotation.returncode == 0, rotation.stderr
    assert "re-encrypted: 4" in rotation.stdout  # source and target password of each mailbox
    assert "secrets per key: rotated=4" in rotation.stdout
    assert "keys that seal nothing now (may be removed): e2e" in rotation.stdout

    wrong = run_module(stack, "mailferry_runner_imap", generate_key_spec("rotated"))
    assert wrong.returncode != 0
    assert "MIGRATION_CREDENTIALS_KEY" in wrong.stdout + wrong.stderr

    stack.credentials_key = new  # the old key is gone from every service
    stack.start_all(runners=2)
    for pair in pairs:
        pair.append_new(5)
    delta = await sync(http, job_id, ids, "delta")
    assert {run["status"] for run in delta.values()} == {"success"}
    assert [delta[m]["stats"]["transferred"] for m in ids] == [5, 5]
    assert all(identical(pair) for pair in pairs)
