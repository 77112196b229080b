"""Wiring only: ``create_app(settings)`` builds the FastStream app and the runner around it."""

import asyncio
import logging

from faststream import ContextRepo, FastStream
from faststream.nats import NatsBroker

from mailferry_bus import Bus
from mailferry_bus.runners.process import RunnerProcess, runner_app
from mailferry_contracts import subjects
from mailferry_contracts.common import Tool
from mailferry_runner_imap.adapters.credentials import VaultCredentials
from mailferry_runner_imap.adapters.imapsync import ImapsyncEngine, sweep_stale_run_dirs
from mailferry_runner_imap.adapters.native import load_native_engine
from mailferry_runner_imap.commands import build_command, source_host
from mailferry_runner_imap.engines import Engines
from mailferry_runner_imap.handlers import command_handlers, router
from mailferry_runner_imap.service import ImapRuns
from mailferry_runner_imap.settings import Settings
from mailferry_vault import open_checked_vault

log = logging.getLogger(__name__)


class Runner(RunnerProcess[Settings]):
    """The shared runner process, with the engines and the vault of runner-imap."""

    async def engines(self, bus: Bus) -> Engines:
        settings = self.settings
        binary, pace = settings.imapsync_path(), settings.max_messages_per_second
        imapsync = ImapsyncEngine(binary, settings.kill_grace_s, pace) if binary else None
        state_bucket = await bus.js.key_value(subjects.SYNC_STATE_BUCKET)
        native = load_native_engine(state_bucket, pace)
        return Engines(imapsync=imapsync, native=native)

    async def open(self, context: ContextRepo) -> None:
        settings = self.settings
        bus = await self.connect("runner-imap")
        settings.work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        sweep_stale_run_dirs(settings.work_dir)
        vault = await open_checked_vault(bus.js, settings, "runner-imap")
        engines = await self.engines(bus)
        log.info("runner-imap %s: engines %s", settings.runner_id, engines.describe())
        runs = ImapRuns(engines, VaultCredentials(vault), settings.work_dir)
        await self.serve(
            context,
            command_handlers(runs),
            fallback_tool=Tool.IMAPSYNC if engines.imapsync else Tool.NATIVE,
            build_command=build_command,
            host_of=source_host,
        )


def create_app(settings: Settings) -> FastStream:
    """The runner-imap app: dispatcher subscriber, work queue, engines."""
    grace_s = settings.kill_grace_s + 5
    broker = NatsBroker(settings.nats_url, graceful_timeout=grace_s)
    broker.include_router(router)
    return runner_app(broker, Runner(settings, broker, stop_grace_s=grace_s))


def run() -> None:
    """Entry point of ``python -m mailferry_runner_imap``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(create_app(Settings()).run())
