"""One delivery of one command: decode, skip if done, run the handler, settle the outcome.

Settling turns a handler's ``RunOutcome`` into facts and an ack, a retry (RunAttemptFailed +
nak with backoff) or a dead letter. Facts carry deterministic ids, so a redelivery after a
crash between two appends only adds what is missing.
"""

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from nats.aio.msg import Msg

from mailferry_bus.clock import utc_now
from mailferry_bus.runners.config import RunnerConfig
from mailferry_bus.runners.context import RunContext
from mailferry_bus.runners.dead_letter import DeadLetters
from mailferry_bus.runners.keepalive import every
from mailferry_bus.runners.leases import LeaseLostError
from mailferry_bus.runners.outcome import RunOutcome
from mailferry_bus.runners.redaction import Redactor
from mailferry_bus.runners.retry import TRANSIENT_CLASSES
from mailferry_bus.runners.run_log import RunLog
from mailferry_bus.runtime import Bus
from mailferry_contracts import (
    Envelope,
    UndecodableMessageError,
    decode,
    system_actor,
    wire_type,
)
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import RunStatus, Tool
from mailferry_contracts.runs import MailboxWork, RunAttemptFailed, RunFinished, RunStarted

log = logging.getLogger(__name__)

LEASE_LOST = "a concurrency slot was lost (lease expired)"

Handler = Callable[[Any, RunContext], Awaitable[RunOutcome]]
"""Runs one command; returns the outcome. Known failures are outcomes, not exceptions."""


class CommandExecutor:
    """Executes commands of one runner kind with the handlers registered for their types."""

    def __init__(
        self,
        bus: Bus,
        config: RunnerConfig,
        handlers: Mapping[type[MailboxWork], Handler],
        *,
        fallback_tool: Tool,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._bus = bus
        self._config = config
        self._handlers = dict(handlers)
        self._fallback_tool = fallback_tool
        self._clock = clock
        self._actor = system_actor(f"runner-{config.kind}:{config.runner_id}")
        self._dlq = DeadLetters(bus.events, bus.js, config.kind, self._actor, clock)
        self.contexts: dict[str, RunContext] = {}

    async def execute(self, msg: Msg, renew: Callable[[], Awaitable[None]]) -> None:
        """Handle one delivery; ``renew`` keeps the caller's slot leases alive.

        The heartbeat (message lease and slot renewal) covers the whole delivery, not only the
        handler: loading the run's history and settling the outcome take NATS round trips too,
        and a slot that expires meanwhile lets another process start a run over the limit.
        """
        running: list[RunContext] = []
        lost: list[str] = []

        async def heartbeat() -> None:
            await msg.in_progress()
            try:
                await renew()
            except LeaseLostError:
                lost.append(LEASE_LOST)
                for ctx in running:
                    ctx.abandon(LEASE_LOST)

        async with every(self._config.heartbeat_s, heartbeat):
            await self._deliver(msg, running, lost)

    async def _deliver(self, msg: Msg, running: list[RunContext], lost: list[str]) -> None:
        attempt = msg.metadata.num_delivered or 1
        command = self._decode(msg)
        if isinstance(command, str):
            await self._dlq.send(msg, command)
            await msg.ack_sync()
            return
        history = await self._history(command.payload)
        if any(isinstance(e, RunFinished) for e in history):
            await msg.ack_sync()
            return
        if self._config.retry.exhausted(attempt):
            await self._give_up(msg, command, attempt, history)
            return
        ctx = self._context(command, attempt)
        running.append(ctx)
        if lost:
            ctx.abandon(LEASE_LOST)
        self.contexts[str(command.payload.run_id)] = ctx
        try:
            outcome = await self._run(ctx)
            await self._settle(msg, ctx, outcome)
        finally:
            self.contexts.pop(str(command.payload.run_id), None)

    def abandon_all(self, reason: str) -> None:
        """Ask every running attempt to stop without a verdict (the runner is shutting down)."""
        for ctx in self.contexts.values():
            ctx.abandon(reason)

    def _decode(self, msg: Msg) -> Envelope[Any] | str:
        try:
            command = decode(msg.data)
        except UndecodableMessageError as exc:
            return f"undecodable command: {exc}"
        if type(command.payload) not in self._handlers:
            return f"runner-{self._config.kind} has no handler for {command.type}"
        return command

    async def _history(self, work: MailboxWork) -> list[Any]:
        events, _ = await self._bus.events.load(subj.AGGREGATE_RUN, str(work.run_id))
        return [e.envelope.payload for e in events]

    def _context(self, command: Envelope[Any], attempt: int) -> RunContext:
        work = command.payload
        run_log = RunLog(
            self._bus.js,
            mailbox_id=str(work.mailbox_id),
            run_id=str(work.run_id),
            attempt=attempt,
            redact=Redactor(),
        )
        return RunContext(
            command=command,
            attempt=attempt,
            config=self._config,
            actor=self._actor,
            bus=self._bus,
            run_log=run_log,
            clock=self._clock,
        )

    async def _run(self, ctx: RunContext) -> RunOutcome:
        handler = self._handlers[type(ctx.work)]
        async with every(self._config.pump_interval_s, ctx.pump):
            try:
                return await handler(ctx.work, ctx)
            except Exception as exc:  # unknown: retried like a transient failure, then DLQ
                log.exception("handler for %s failed", ctx.command.type)
                message = ctx.redact(f"{type(exc).__name__}: {exc}")
                tool = ctx.started_with or self._fallback_tool
                return RunOutcome(tool, RunStatus.FAILED, "internal", message)

    async def _settle(self, msg: Msg, ctx: RunContext, outcome: RunOutcome) -> None:
        await ctx.pump(final=True)
        await ctx.started(outcome.tool)
        if ctx.abandon_reason is not None:
            await self._attempt_failed(ctx, "cancelled", ctx.abandon_reason, 0.0)
            await msg.nak()
            return
        retry_in = None
        if outcome.failed:
            retry_in = self._config.retry.retry_in(outcome.error_class, ctx.attempt)
        if retry_in is not None:
            await self._attempt_failed(ctx, outcome.error_class, outcome.error_message, retry_in)
            await msg.nak(delay=retry_in)
            return
        if outcome.failed and outcome.error_class in TRANSIENT_CLASSES:
            reason = f"{outcome.error_class} on all {ctx.attempt} attempts: {outcome.error_message}"
            await self._dlq.send(msg, ctx.redact(reason), ctx.command)
        await self._finish(ctx, outcome)
        await msg.ack_sync()

    async def _attempt_failed(
        self, ctx: RunContext, error_class: str | None, message: str, retry_in: float
    ) -> None:
        event = RunAttemptFailed(
            **ctx.identity(),
            attempt=ctx.attempt,
            error_class=error_class or "internal",
            error_message=ctx.redact(message),
            retry_in_seconds=retry_in,
        )
        await self._bus.events.append([ctx.envelope(event, f"RunAttemptFailed:{ctx.attempt}")])

    async def _finish(self, ctx: RunContext, outcome: RunOutcome) -> None:
        for fact in outcome.facts:
            env = ctx.envelope(fact, wire_type(type(fact)), aggregate_id=str(ctx.work.mailbox_id))
            await self._bus.events.append([env])
        await self._bus.events.append([ctx.envelope(self._finished(ctx, outcome), "RunFinished")])

    def _finished(self, ctx: RunContext, outcome: RunOutcome) -> RunFinished:
        return RunFinished(
            **ctx.identity(),
            tool=outcome.tool,
            status=outcome.status,  # type: ignore[arg-type]
            exit_code=outcome.exit_code,
            stats=outcome.stats,
            error_class=outcome.error_class,
            error_message=ctx.redact(outcome.error_message),
            log_ref=ctx.log_ref,
            attempt=ctx.attempt,
            duration_seconds=max(0.0, time_since(ctx)),
        )

    async def _give_up(
        self, msg: Msg, command: Envelope[Any], attempt: int, history: list[Any]
    ) -> None:
        """A command delivered more often than allowed (runners died on it, or it kept failing)."""
        failures = [e for e in history if isinstance(e, RunAttemptFailed)]
        starts = [e for e in history if isinstance(e, RunStarted)]
        error_class = failures[-1].error_class if failures else "internal"
        reason = (
            f"delivered {attempt} times, more than the {self._config.retry.max_attempts} "
            f"allowed; last error: {failures[-1].error_message if failures else 'none recorded'}"
        )
        await self._dlq.send(msg, reason, command)
        ctx = self._context(command, attempt)
        tool = starts[-1].tool if starts else self._fallback_tool
        outcome = RunOutcome(tool, RunStatus.FAILED, error_class, reason)
        await self._bus.events.append([ctx.envelope(self._finished(ctx, outcome), "RunFinished")])
        await msg.ack_sync()


def time_since(ctx: RunContext) -> float:
    return time.monotonic() - ctx.started_monotonic
