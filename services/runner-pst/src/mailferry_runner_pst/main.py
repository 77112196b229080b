"""Wiring only: ``create_app(settings)`` builds the FastStream app and the runner around it."""

import asyncio
import logging

from faststream import ContextRepo, FastStream
from faststream.nats import NatsBroker

from mailferry_bus.runners.process import RunnerProcess, runner_app
from mailferry_contracts.common import Tool
from mailferry_runner_pst.adapters.credentials import VaultCredentials
from mailferry_runner_pst.adapters.readpst import ToolMissingError, resolve_binary
from mailferry_runner_pst.adapters.workspace import sweep_stale
from mailferry_runner_pst.commands import build_command, no_host
from mailferry_runner_pst.handlers import command_handlers, router
from mailferry_runner_pst.service import ImportSettings, UploadImports
from mailferry_runner_pst.settings import Settings
from mailferry_runner_pst.sources import Readpst
from mailferry_vault import open_checked_vault

log = logging.getLogger(__name__)


class Runner(RunnerProcess[Settings]):
    """The shared runner process, with readpst and the vault of runner-pst."""

    def import_settings(self) -> ImportSettings:
        settings = self.settings
        return ImportSettings(
            work_root=settings.work_root,
            readpst=_readpst(settings),
            max_message_bytes=settings.max_message_bytes,
            imap_connections=settings.imap_connections,
            imap_timeout_s=settings.imap_timeout_s,
        )

    async def open(self, context: ContextRepo) -> None:
        settings = self.settings
        bus = await self.connect("runner-pst")
        settings.work_root.mkdir(parents=True, exist_ok=True, mode=0o700)
        sweep_stale(settings.work_root)
        vault = await open_checked_vault(bus.js, settings, "runner-pst")
        imports = UploadImports(bus, VaultCredentials(vault), self.import_settings())
        await self.serve(
            context,
            command_handlers(imports),
            fallback_tool=Tool.UPLOADER,
            build_command=build_command,
            host_of=no_host,
        )


def _readpst(settings: Settings) -> Readpst | None:
    configured = str(settings.readpst_bin) if settings.readpst_bin else None
    try:
        binary = resolve_binary(configured)
    except ToolMissingError:
        log.warning("readpst not found: PST imports will fail with tool_missing")
        return None
    return Readpst(binary, keep_rtf_body=settings.keep_rtf_body)


def create_app(settings: Settings) -> FastStream:
    """The runner-pst app: dispatcher subscriber, work queue, health endpoint."""
    broker = NatsBroker(settings.nats_url, graceful_timeout=settings.shutdown_grace_s + 5)
    broker.include_router(router)
    return runner_app(broker, Runner(settings, broker, stop_grace_s=settings.shutdown_grace_s))


def run() -> None:
    """Entry point of ``python -m mailferry_runner_pst``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(create_app(Settings()).run())
