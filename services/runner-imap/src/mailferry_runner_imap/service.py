"""Runs one IMAP command: pick the engine, open the credentials, run, report the outcome."""

from functools import partial
from pathlib import Path

from mailferry_bus.runners import RunContext, RunOutcome
from mailferry_contracts.common import Engine as EngineChoice
from mailferry_contracts.common import Tool
from mailferry_contracts.runs import ImapWork, StartPreflight, StartSync, StartVerify
from mailferry_runner_imap.adapters.credentials import MissingCredentialError, VaultCredentials
from mailferry_runner_imap.engine import Engine, EngineIO, EngineOutcome, InvalidInputError, Secrets
from mailferry_runner_imap.engines import Engines
from mailferry_runner_imap.outcome import refused, to_run_outcome


class ImapRuns:
    """The one place where an IMAP command meets an engine and its secrets."""

    def __init__(self, engines: Engines, credentials: VaultCredentials, work_dir: Path) -> None:
        self._engines = engines
        self._credentials = credentials
        self._work_dir = work_dir

    async def run(self, work: ImapWork, ctx: RunContext) -> RunOutcome:
        engine = self._engines.pick(work.engine)
        if engine is None:
            tool = Tool.NATIVE if work.engine == EngineChoice.NATIVE else Tool.IMAPSYNC
            message = f"no {work.engine} engine here (installed: {self._engines.describe()})"
            return refused(work, tool, "tool_missing", message)
        try:
            secrets = await self._credentials.secrets_for(work)
        except MissingCredentialError as exc:
            return refused(work, engine.tool, "invalid_input", str(exc))
        ctx.add_secrets(secrets.source, secrets.target)
        io = EngineIO(
            log=ctx.log,
            progress=ctx.progress,
            started=partial(ctx.started, engine.tool),
            cancel=ctx.cancel,
            work_dir=self._work_dir,
        )
        try:
            outcome = await _call(engine, work, secrets, io)
        except InvalidInputError as exc:
            return refused(work, engine.tool, "invalid_input", str(exc))
        return to_run_outcome(work, engine.tool, outcome)


async def _call(engine: Engine, work: ImapWork, secrets: Secrets, io: EngineIO) -> EngineOutcome:
    if isinstance(work, StartPreflight):
        return await engine.preflight(work, secrets, io)
    if isinstance(work, StartSync):
        return await engine.sync(work, secrets, io)
    if isinstance(work, StartVerify):
        return await engine.verify(work, secrets, io)
    raise InvalidInputError(f"{type(work).__name__} is not an IMAP command")
