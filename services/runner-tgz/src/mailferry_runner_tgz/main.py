"""Wiring only: ``create_app(settings)`` builds the FastStream app and the runner around it."""

import asyncio
import logging

from faststream import ContextRepo, FastStream
from faststream.nats import NatsBroker

from mailferry_bus import Bus
from mailferry_bus.runners.process import RunnerProcess, runner_app
from mailferry_contracts.common import Tool
from mailferry_runner_tgz.adapters import workdir
from mailferry_runner_tgz.adapters.credentials import DestinationCredentials
from mailferry_runner_tgz.commands import build_command, source_host
from mailferry_runner_tgz.handlers import command_handlers, router
from mailferry_runner_tgz.service import TgzRuns
from mailferry_runner_tgz.settings import Settings
from mailferry_vault import open_checked_vault

log = logging.getLogger(__name__)


class Runner(RunnerProcess[Settings]):
    """The shared runner process, with the SSH and IMAP import paths of runner-tgz."""

    async def open(self, context: ContextRepo) -> None:
        settings = self.settings
        bus = await self.connect("runner-tgz")
        swept = await asyncio.to_thread(workdir.prepare, settings.work_dir)
        if swept:
            log.info("removed %d work directories left by an earlier process", swept)
        runs = TgzRuns(settings, await self._credentials(bus), bus.js)
        self._describe()
        await self.serve(
            context,
            command_handlers(runs),
            fallback_tool=Tool.ZMMAILBOX,
            build_command=build_command,
            host_of=source_host,
        )

    async def _credentials(self, bus: Bus) -> DestinationCredentials | None:
        if self.settings.tgz_import == "carbonio":
            return None  # nothing is uploaded over IMAP, so no password is ever opened
        vault = await open_checked_vault(bus.js, self.settings, "runner-tgz")
        return DestinationCredentials(vault)

    def _describe(self) -> None:
        settings = self.settings
        carbonio = settings.carbonio_ssh or "not set"
        log.info(
            "runner-tgz %s: import %s (MIGRATION_CARBONIO_SSH %s), work dir %s",
            settings.runner_id,
            settings.tgz_import,
            carbonio,
            settings.work_dir,
        )
        if settings.zimbra_key_files() is None:
            log.warning(
                "no SSH key for Zimbra hosts (MIGRATION_ZIMBRA_SSH_KEY_FILE): "
                "runs will fail as tool_missing until one is configured"
            )


def create_app(settings: Settings) -> FastStream:
    """The runner-tgz app: dispatcher subscriber, work queue, health endpoint."""
    broker = NatsBroker(settings.nats_url, graceful_timeout=settings.shutdown_grace_s + 5)
    broker.include_router(router)
    return runner_app(broker, Runner(settings, broker, stop_grace_s=settings.shutdown_grace_s))


def run() -> None:
    """Entry point of ``python -m mailferry_runner_tgz``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(create_app(Settings()).run())
