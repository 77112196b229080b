"""The imapsync engine's process handling, against the stand-in that replays real logs."""

import asyncio
import hashlib
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from mailferry_contracts.runs import StartPreflight, StartSync
from mailferry_runner_imap.adapters.imapsync import ImapsyncEngine
from mailferry_runner_imap.engine import EngineIO, Secrets
from tests.fixtures.factories import EXAMPLES
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.integration
SECRETS = Secrets(
    source="Src-Pa55-" + uuid.uuid4().hex[:8], target="Dst-Pa55-" + uuid.uuid4().hex[:8]
)


class Recorder:
    def __init__(self, work_dir: Path) -> None:
        self.lines: list[str] = []
        self.progress: list[Any] = []
        self.started: list[str] = []
        self.cancel = asyncio.Event()
        self.io = EngineIO(
            log=self.lines.append,
            progress=self.progress.append,
            started=self._started,
            cancel=self.cancel,
            work_dir=work_dir,
        )

    async def _started(self, command_line: str) -> None:
        self.started.append(command_line)


def _sync(user: str = "alice") -> StartSync:
    return StartSync.model_validate({**EXAMPLES["StartSync"], "source_user": user})


class TestImapsyncEngine:
    async def test_a_sync_streams_lines_and_progress_and_classifies_the_statistics(
        self, imapsync_standin, tmp_path
    ):
        recorder = Recorder(tmp_path / "work")
        engine = ImapsyncEngine(imapsync_standin.binary)

        outcome = await engine.sync(_sync(), SECRETS, recorder.io)

        assert (outcome.status, outcome.exit_code, outcome.stats.transferred) == ("success", 0, 293)
        assert any(line.startswith("++++ Statistics") for line in recorder.lines)
        assert recorder.progress[-1].messages_done == 293
        assert "--passfile1" in recorder.started[0]

    async def test_passfiles_are_0600_in_a_0700_dir_while_it_runs_and_gone_after(
        self, imapsync_standin, tmp_path
    ):
        work = tmp_path / "work"
        await ImapsyncEngine(imapsync_standin.binary).sync(_sync(), SECRETS, Recorder(work).io)

        [record] = imapsync_standin.records()
        for side, secret in (("passfile1", SECRETS.source), ("passfile2", SECRETS.target)):
            seen = record[side]
            assert (seen["mode"], seen["dir_mode"]) == (0o600, 0o700)
            assert seen["sha256"] == hashlib.sha256(secret.encode()).hexdigest()
        assert not any(SECRETS.source in arg or SECRETS.target in arg for arg in record["argv"])
        assert list(work.iterdir()) == []

    @pytest.mark.parametrize(
        ("scenario", "error_class", "exit_code"),
        [
            ("e_authfail_host1", "auth_failed_source", 161),
            ("f_authfail_host2", "auth_failed_target", 162),
            ("g_connrefused_host2", "connection_failed", 102),
            ("h_overquota", "over_quota", 113),
        ],
    )
    async def test_failures_are_classified_from_exit_code_and_log(
        self, imapsync_standin, tmp_path, scenario, error_class, exit_code
    ):
        imapsync_standin.configure(default=scenario)
        outcome = await ImapsyncEngine(imapsync_standin.binary).sync(
            _sync(), SECRETS, Recorder(tmp_path).io
        )
        assert (outcome.status, outcome.error_class, outcome.exit_code) == (
            "failed",
            error_class,
            exit_code,
        )

    async def test_cancel_sends_sigterm_to_the_group_and_reports_cancelled_with_counts(
        self, imapsync_standin, tmp_path
    ):
        imapsync_standin.configure(default="n_sigterm_midsync", msg_delay_s=0.01)
        recorder = Recorder(tmp_path / "work")
        engine = ImapsyncEngine(imapsync_standin.binary, kill_grace_s=5)
        task = asyncio.create_task(engine.sync(_sync("bob"), SECRETS, recorder.io))
        await wait_for(lambda: len(recorder.progress) > 5, timeout=20, what="copying")

        recorder.cancel.set()
        outcome = await task

        assert (outcome.status, outcome.error_class, outcome.exit_code) == (
            "failed",
            "cancelled",
            143,
        )
        assert outcome.stats.transferred == 1271  # the statistics imapsync prints on SIGTERM
        assert list((tmp_path / "work").iterdir()) == []

    async def test_preflight_logs_in_then_reads_folder_sizes(self, imapsync_standin, tmp_path):
        imapsync_standin.configure(
            scenarios={"alice": ["d_justlogin", "a0_initial_with_foldersizes"]}
        )
        work = StartPreflight.model_validate(EXAMPLES["StartPreflight"])
        outcome = await ImapsyncEngine(imapsync_standin.binary).preflight(
            work, SECRETS, Recorder(tmp_path).io
        )
        assert outcome.status == "success"
        assert outcome.preflight is not None
        assert len(outcome.preflight.source_folders) == 18
        argvs = [r["argv"] for r in imapsync_standin.records()]
        assert "--justlogin" in argvs[0] or "--justlogin" in argvs[1]

    async def test_preflight_stops_at_a_failed_login(self, imapsync_standin, tmp_path):
        imapsync_standin.configure(default="e_authfail_host1")
        work = StartPreflight.model_validate(EXAMPLES["StartPreflight"])
        outcome = await ImapsyncEngine(imapsync_standin.binary).preflight(
            work, SECRETS, Recorder(tmp_path).io
        )
        assert (outcome.error_class, len(imapsync_standin.records())) == ("auth_failed_source", 1)
        assert outcome.preflight is not None
        assert not outcome.preflight.ok

    async def test_a_missing_binary_is_tool_missing(self, tmp_path):
        engine = ImapsyncEngine(tmp_path / "no-such-imapsync")
        outcome = await engine.sync(_sync(), SECRETS, Recorder(tmp_path).io)
        assert (outcome.status, outcome.error_class) == ("failed", "tool_missing")


def test_run_dirs_of_dead_runners_are_swept_and_live_ones_kept(tmp_path):
    from mailferry_runner_imap.adapters.imapsync import sweep_stale_run_dirs

    dead = tmp_path / "imapsync-999999999-x"
    mine = tmp_path / f"imapsync-{os.getpid()}-y"
    dead.mkdir()
    mine.mkdir()
    (dead / "pass1").write_text("secret")

    assert sweep_stale_run_dirs(tmp_path) == 1
    assert not dead.exists()
    assert mine.exists()
