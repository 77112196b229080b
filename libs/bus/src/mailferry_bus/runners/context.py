"""Everything a command handler may touch while it runs one attempt of one run."""

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mailferry_bus.runners.config import RunnerConfig
from mailferry_bus.runners.outcome import Progress, event_id
from mailferry_bus.runners.run_log import RunLog
from mailferry_bus.runners.throttle import Throttle
from mailferry_bus.runtime import Bus
from mailferry_contracts import Actor, Envelope, caused_by, encode
from mailferry_contracts import subjects as subj
from mailferry_contracts.common import Tool
from mailferry_contracts.runs import MailboxWork, RunProgress, RunStarted

LOG_FLUSH_S = 1.0
"""A follower sees new log lines within about this long; fewer, larger chunks otherwise."""


class RunContext:
    """The run's identity, cancellation, log, throttled progress and the RunStarted fact.

    ``log`` and ``progress`` are plain calls so that engines can report from any callback;
    ``pump`` (called by the machinery on a short interval) publishes what they buffered.
    """

    def __init__(
        self,
        *,
        command: Envelope[Any],
        attempt: int,
        config: RunnerConfig,
        actor: Actor,
        bus: Bus,
        run_log: RunLog,
        clock: Callable[[], datetime],
    ) -> None:
        self.command = command
        self.work: MailboxWork = command.payload
        self.attempt = attempt
        self.runner_id = config.runner_id
        self.actor = actor
        self.redact = run_log.redact
        self.cancel = asyncio.Event()
        self.abandon_reason: str | None = None
        self.started_with: Tool | None = None
        self.started_monotonic = time.monotonic()
        self._events = bus.events
        self._js = bus.js
        self._ready: Progress | None = None
        self._log_flushed = time.monotonic()
        self._log = run_log
        self._clock = clock
        self._throttle: Throttle[Progress] = Throttle(config.progress_interval_s)
        self._publish_lock = asyncio.Lock()

    @property
    def log_ref(self) -> str:
        """Where the run's log lives (the LOGS stream subject)."""
        return self._log.subject

    def identity(self) -> dict[str, Any]:
        """The fields every run event and RunProgress repeat from the command."""
        work = self.work
        return {
            "run_id": work.run_id,
            "job_id": work.job_id,
            "mailbox_id": work.mailbox_id,
            "run_type": work.run_type,
        }

    def add_secrets(self, *secrets: str | None) -> None:
        """Secrets of this run: masked in every log line from now on."""
        self.redact.add(secrets)

    def log(self, line: str) -> None:
        self._log.write(line)

    def progress(self, update: Progress) -> None:
        ready = self._throttle.offer(update, time.monotonic())
        if ready is not None:
            self._ready = ready

    def abandon(self, reason: str) -> None:
        """Stop the attempt without a verdict (shutdown, lost lease): it will run again."""
        self.abandon_reason = self.abandon_reason or reason
        self.cancel.set()

    async def started(self, tool: Tool, command_line: str = "") -> None:
        """Append RunStarted once per attempt, right before the tool starts."""
        if self.started_with is not None:
            return
        self.started_with = tool
        event = RunStarted(
            **self.identity(),
            tool=tool,
            runner_id=self.runner_id,
            attempt=self.attempt,
            command_line=self.redact(command_line),
        )
        await self._events.append([self.envelope(event, f"RunStarted:{self.attempt}")])

    def envelope(self, payload: Any, label: str, aggregate_id: str | None = None) -> Envelope[Any]:
        """Wrap a fact this run causes, with a deterministic id (``label`` per run)."""
        return caused_by(
            self.command,
            payload,
            aggregate_id=aggregate_id or str(self.work.run_id),
            actor=self.actor,
            now=self._clock(),
            message_id=event_id(self.work.run_id, label),
        )

    async def pump(self, final: bool = False) -> None:
        """Publish due progress and flush the log when a chunk is full (or at the end)."""
        async with self._publish_lock:
            now = time.monotonic()
            due = self._throttle.flush(now) if final else self._throttle.due(now)
            ready, self._ready = self._ready, None
            for update in (ready, due):
                if update is not None:
                    await self._publish_progress(update)
            if final or self._log.full or now - self._log_flushed >= LOG_FLUSH_S:
                self._log_flushed = now
                await self._log.flush()

    async def _publish_progress(self, update: Progress) -> None:
        work = self.work
        progress = RunProgress(
            **self.identity(),
            folder=update.folder,
            messages_done=update.messages_done,
            messages_total=update.messages_total,
            bytes_done=update.bytes_done,
            rate_messages=update.rate_messages,
            rate_bytes=update.rate_bytes,
            eta_seconds=update.eta_seconds,
            percent=update.percent,
        )
        env = caused_by(
            self.command,
            progress,
            aggregate_id=str(work.run_id),
            actor=self.actor,
            now=self._clock(),
        )
        await self._js.publish(
            subj.progress_subject(str(work.job_id), str(work.mailbox_id)),
            encode(env),
            stream=subj.PROGRESS_STREAM,
        )
