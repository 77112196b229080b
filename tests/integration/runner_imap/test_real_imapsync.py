"""The real imapsync, whenever it is installed (on PATH or MIGRATION_IMAPSYNC_BIN)."""

import asyncio
import os
import shutil
import socket
from pathlib import Path

import pytest

from mailferry_contracts.common import ServerSettings
from mailferry_contracts.runs import StartPreflight
from mailferry_runner_imap.adapters.imapsync import ImapsyncEngine
from mailferry_runner_imap.engine import EngineIO, Secrets
from tests.fixtures.factories import EXAMPLES

pytestmark = [pytest.mark.integration, pytest.mark.needs_imapsync]


def _binary() -> Path:
    return Path(os.environ.get("MIGRATION_IMAPSYNC_BIN") or shutil.which("imapsync") or "imapsync")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_real_imapsync_against_a_closed_port_is_connection_failed(tmp_path):
    closed = ServerSettings(host="127.0.0.1", port=_closed_port(), security="none")
    work = StartPreflight.model_validate(
        {**EXAMPLES["StartPreflight"], "source": closed, "destination": closed}
    )
    lines: list[str] = []

    async def started(_command_line: str) -> None:
        return None

    io = EngineIO(lines.append, lambda _p: None, started, asyncio.Event(), tmp_path)
    outcome = await ImapsyncEngine(_binary()).preflight(work, Secrets("s3cret-a", "s3cret-b"), io)

    assert outcome.error_class == "connection_failed"
    assert outcome.exit_code in {10, 101, 102}
    assert not any("s3cret" in line for line in lines)
    assert list(tmp_path.iterdir()) == []
