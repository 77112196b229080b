"""The fair, lease-bounded work queue every runner process pulls from.

Commands sit on ``migration.commands.<kind>.<job>`` (work-queue retention). Each process:

1. finds the jobs with pending commands (stream info filtered by subject),
2. walks them round-robin, one command per job per round, so a big job cannot starve a small
   one,
3. for a job, peeks at its newest command for the limits and the source host, takes a job slot
   and a host slot in the ``migration_slots`` bucket, and only then pulls one command from the
   job's durable consumer (``runner-<kind>-<job>``, shared by every process). Pulling only with
   slots in hand means a command is never delivered just to be handed back, so waiting for a
   slot never counts as a delivery attempt,
4. runs at most ``slots`` commands at once and wakes when one ends, when a command is published
   (a core subscription on the kind's subjects) or after ``idle_poll_s``.
"""

import asyncio
import json
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from mailferry_bus.runners.config import RunnerConfig
from mailferry_bus.runners.executor import CommandExecutor
from mailferry_bus.runners.leases import (
    HOST_SCOPE,
    JOB_SCOPE,
    Lease,
    LeaseLostError,
    LeaseStore,
    host_id,
)
from mailferry_bus.runtime import Bus
from mailferry_contracts import UndecodableMessageError, decode
from mailferry_contracts import subjects as subj
from mailferry_contracts.runs import MailboxWork

log = logging.getLogger(__name__)

HostOf = Callable[[MailboxWork], str | None]
"""The source host a command works against (``None``: no per-host limit applies)."""


@dataclass(frozen=True)
class Limits:
    """What a job's newest command says about how much may run."""

    job: int
    per_host: int
    host: str | None


class WorkQueue:
    """Pulls and runs the commands of one runner kind in this process."""

    def __init__(
        self, bus: Bus, config: RunnerConfig, executor: CommandExecutor, host_of: HostOf
    ) -> None:
        self._bus = bus
        self._config = config
        self._executor = executor
        self._host_of = host_of
        self._leases: LeaseStore | None = None
        self._consumers: set[str] = set()
        self._running: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._last_job: str | None = None

    @property
    def running(self) -> int:
        return len(self._running)

    async def run(self) -> None:
        """Pull and run until ``stop``."""
        kv = await self._bus.js.key_value(subj.SLOTS_BUCKET)
        self._leases = LeaseStore(kv, self._config.lease_ttl_s)
        sub = await self._bus.nc.subscribe(
            subj.commands_for(self._config.kind), cb=self._on_published
        )
        try:
            while not self._stopping:
                self._wake.clear()
                if not await self._safe_round():
                    with suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._config.idle_poll_s)
        finally:
            with suppress(Exception):
                await sub.unsubscribe()

    async def stop(self, grace_s: float = 30.0) -> None:
        """Stop pulling; running attempts end without a verdict and are handed back."""
        self._stopping = True
        self._wake.set()
        self._executor.abandon_all("the runner is shutting down")
        if self._running:
            await asyncio.wait(self._running, timeout=grace_s)

    async def _on_published(self, _msg: Msg) -> None:
        self._wake.set()

    async def _safe_round(self) -> bool:
        try:
            return await self._round()
        except Exception:  # a NATS hiccup must not end the loop; the next round retries
            log.exception("work queue round failed; retrying after the idle poll")
            return False

    async def _round(self) -> bool:
        """Start at most one command per job; return whether anything started."""
        started = False
        for job in self._rotated(await self._pending_jobs()):
            if self._stopping or self.running >= self._config.slots:
                break
            if await self._try_start(job):
                started = True
                self._last_job = job
        return started

    async def _pending_jobs(self) -> list[str]:
        try:
            info = await self._bus.js.stream_info(
                subj.COMMANDS_STREAM, subjects_filter=subj.commands_for(self._config.kind)
            )
        except NotFoundError:
            return []
        jobs = []
        for subject, count in sorted((info.state.subjects or {}).items()):
            job = subject.rsplit(".", 1)[-1]
            if count > 0 and subj.command_subject(self._config.kind, job) == subject:
                jobs.append(job)
        return jobs

    def _rotated(self, jobs: list[str]) -> list[str]:
        """Jobs in order, starting after the one served last (round-robin)."""
        if self._last_job is None:
            return jobs
        later = [j for j in jobs if j > self._last_job]
        return later + [j for j in jobs if j <= self._last_job]

    async def _try_start(self, job: str) -> bool:
        limits = await self._peek(job)
        if limits is None:
            return False
        leases = await self._take_slots(job, limits)
        if leases is None:
            return False
        msg = await self._next(job)
        if msg is None:
            await self._release(leases)
            return False
        fresh = await self._refresh(leases)
        if fresh is None:
            await msg.nak()
            return False
        leases = await self._check_host(msg, limits, fresh)
        if leases is None:
            return True  # handed back; count as progress so the round goes on
        task = asyncio.create_task(self._execute(msg, leases))
        self._running.add(task)
        return True

    async def _peek(self, job: str) -> Limits | None:
        subject = subj.command_subject(self._config.kind, job)
        try:
            raw = await self._bus.js.get_last_msg(subj.COMMANDS_STREAM, subject)
        except NotFoundError:
            return None
        return self._limits_of(raw.data or b"")

    def _limits_of(self, data: bytes) -> Limits:
        try:
            work = decode(data).payload
        except UndecodableMessageError:
            return Limits(1, 1, None)  # poison: pull it under one slot so it can be dead-lettered
        if not isinstance(work, MailboxWork):
            return Limits(1, 1, None)
        return Limits(work.concurrency_limit, work.per_host_limit, self._host_of(work))

    async def _take_slots(self, job: str, limits: Limits) -> list[Lease] | None:
        """A job slot and (when the command names a host) a host slot, or neither.

        Both are asked for at once: the two round trips are a tenth of the time from a request
        to its engine. One taken without the other is given back at once.
        """
        assert self._leases is not None  # noqa: S101 - set by run()
        me = self._config.runner_id
        wanted = [self._leases.acquire(JOB_SCOPE, job, limits.job, me, job)]
        if limits.host is not None:
            scope_id = host_id(limits.host)
            wanted.append(self._leases.acquire(HOST_SCOPE, scope_id, limits.per_host, me, job))
        taken = await asyncio.gather(*wanted)
        leases = [lease for lease in taken if lease is not None]
        if len(leases) < len(taken):
            await self._release(leases)
            return None
        return leases

    async def _refresh(self, leases: list[Lease]) -> list[Lease] | None:
        """Renew the slots right after a pull, which may have waited longer than their TTL.

        ``None`` when one was taken over meanwhile (the others are released): the command must
        not run, or one more run than the limit allows would.
        """
        assert self._leases is not None  # noqa: S101 - set by run()
        held = list(leases)
        try:
            for index, lease in enumerate(held):
                held[index] = await self._leases.renew(lease)
        except LeaseLostError:
            await self._release(held)
            return None
        return held

    async def _check_host(
        self, msg: Msg, peeked: Limits, leases: list[Lease]
    ) -> list[Lease] | None:
        """The pulled command may name another host than the peeked one: lease that one."""
        actual = self._limits_of(msg.data)
        if actual.host == peeked.host:
            return leases
        await self._release(leases[1:])
        if actual.host is None:
            return leases[:1]
        assert self._leases is not None  # noqa: S101 - set by run()
        host_lease = await self._leases.acquire(
            HOST_SCOPE, host_id(actual.host), actual.per_host, self._config.runner_id, "?"
        )
        if host_lease is None:
            await self._release(leases[:1])
            await msg.nak(delay=self._config.idle_poll_s)
            return None
        return [leases[0], host_lease]

    async def _next(self, job: str) -> Msg | None:
        """Pull one command without waiting (``no_wait``): none available means ``None``."""
        durable = subj.runner_durable(self._config.kind, job)
        await self._ensure_consumer(job, durable)
        # The JetStream API's own pull subject; nats-py's fetch() cannot express no_wait for one.
        api = f"$JS.API.CONSUMER.MSG.NEXT.{subj.COMMANDS_STREAM}.{durable}"
        request = json.dumps({"batch": 1, "no_wait": True}).encode()
        try:
            # old_style: a JetStream delivery carries the command's subject, not the inbox, so
            # the shared-inbox request would never match it to this request.
            msg = await self._bus.nc.request(api, request, timeout=5.0, old_style=True)
        except NoRespondersError:
            self._consumers.discard(durable)  # removed for inactivity: recreate next time
            return None
        except NatsTimeoutError:
            return None
        if msg.headers and msg.headers.get("Status"):
            return None
        return msg

    async def _ensure_consumer(self, job: str, durable: str) -> None:
        if durable in self._consumers:
            return
        config = ConsumerConfig(
            durable_name=durable,
            name=durable,
            filter_subject=subj.command_subject(self._config.kind, job),
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self._config.ack_wait_s,
            # Deliveries are counted by the runner itself (it dead-letters with a reason and
            # a MailboxDeadLettered fact); a server-side max_deliver would silently park them.
            max_deliver=-1,
            inactive_threshold=self._config.consumer_inactive_s,
        )
        await self._bus.js.add_consumer(subj.COMMANDS_STREAM, config)
        self._consumers.add(durable)

    async def _execute(self, msg: Msg, leases: list[Lease]) -> None:
        held = list(leases)

        async def renew() -> None:
            assert self._leases is not None  # noqa: S101 - set by run()
            for index, lease in enumerate(held):
                held[index] = await self._leases.renew(lease)

        try:
            await self._executor.execute(msg, renew)
        except Exception:
            log.exception(
                "command %s failed outside its handler; it will be redelivered", msg.subject
            )
        finally:
            await self._release(held)
            self._running.discard(asyncio.current_task())
            self._wake.set()

    async def _release(self, leases: list[Lease]) -> None:
        assert self._leases is not None  # noqa: S101 - set by run()
        for lease in leases:
            try:
                await self._leases.release(lease)
            except Exception:
                log.warning("could not release slot %s; it expires by itself", lease.key)
