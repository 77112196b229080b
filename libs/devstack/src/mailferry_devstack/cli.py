"""``python -m mailferry_devstack up|demo``: the whole system on this machine, in one command."""

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TextIO

from pydantic import ValidationError

from mailferry_devstack.catalog import SERVICES, ServiceSpec, split_runnable
from mailferry_devstack.environment import Stack
from mailferry_devstack.infrastructure import (
    InfrastructureError,
    Say,
    check_database,
    check_nats,
    redact_url,
    start_nats,
    start_postgres,
)
from mailferry_devstack.local_secrets import ensure_local_secrets
from mailferry_devstack.lock import DataDirBusyError, DataDirLock
from mailferry_devstack.logs import LogFormat, LogSink
from mailferry_devstack.ports import port_open
from mailferry_devstack.scenario import Scenario, ScenarioError, load_scenario
from mailferry_devstack.service_process import SUPERVISOR
from mailferry_devstack.settings import DevstackSettings
from mailferry_devstack.supervisor import Supervisor

_INTERRUPTED = 130
DEMO = "mailferry_devstack.demo"


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (0 after a clean stop)."""
    args = _parser().parse_args(argv)
    try:
        settings = DevstackSettings()
        scenario = (args.scenario, load_scenario(args.scenario)) if args.scenario else None
        return up(settings, scenario, sys.stdout)
    except (InfrastructureError, DataDirBusyError, ScenarioError, ValidationError) as exc:
        sys.stderr.write(f"mailferry devstack: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("mailferry devstack: interrupted while starting; stopped\n")
        return _INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mailferry_devstack",
        description="Run NATS, PostgreSQL and every installed mailferry service locally. "
        "Settings come from MIGRATION_* variables (see README.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text, scenario in (
        ("up", "start the stack and keep it running until Ctrl-C", None),
        ("demo", "start the stack and run the demo job on two local Dovecot servers", DEMO),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "--scenario",
            metavar="MODULE",
            default=scenario,
            help="module with `async def run(stack)`, run once the API answers /healthz",
        )
    return parser


def up(settings: DevstackSettings, scenario: tuple[str, Scenario] | None, out: TextIO) -> int:
    """Start infrastructure and services, supervise until a signal, stop everything in order."""
    present, missing = split_runnable(SERVICES)
    names = [SUPERVISOR, *(spec.name for spec in SERVICES)]
    sink = LogSink(out, LogFormat.for_names(names, color=out.isatty()))
    say: Say = partial(sink.write, SUPERVISOR)
    data = settings.data_path.resolve()
    with DataDirLock(data), _sigterm_interrupts(), ExitStack() as servers:
        say(f"data directory {data}")
        if missing:
            say("not installed yet, skipped: " + ", ".join(spec.name for spec in missing))
        _require_free_api_port(settings, present)
        stack = _start_stack(settings, data, servers, say)
        supervisor = Supervisor(
            stack,
            present,
            sink,
            base_env=dict(os.environ),
            grace_s=settings.stop_grace_s,
            scenario=scenario,
        )
        asyncio.run(_supervise(supervisor))
        # Stopping PostgreSQL and NATS must not be cut short by an impatient second Ctrl-C.
        servers.callback(_ignore_stop_signals)
    say("stopped cleanly")
    return 0


async def _supervise(supervisor: Supervisor) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, supervisor.request_stop, sig.name)
    await supervisor.run()


def _start_stack(settings: DevstackSettings, data: Path, servers: ExitStack, say: Say) -> Stack:
    secrets = ensure_local_secrets(data / "secrets")
    if settings.nats_url:
        check_nats(settings.nats_url)
        say(f"using NATS at {redact_url(settings.nats_url)} (MIGRATION_NATS_URL)")
        nats_url = settings.nats_url
    else:
        nats_url = start_nats(data / "nats", servers, say)
    if settings.database_url:
        check_database(settings.database_url)
        say(f"using PostgreSQL at {redact_url(settings.database_url)} (MIGRATION_DATABASE_URL)")
        database_url = settings.database_url
    else:
        database_url = start_postgres(data / "postgres", servers, say)
    return Stack(
        nats_url=nats_url,
        database_url=database_url,
        api_port=settings.api_port,
        data_path=data,
        credentials_key_file=secrets.credentials_key_file,
        jwt_secret=secrets.jwt_secret,
    )


def _require_free_api_port(settings: DevstackSettings, services: list[ServiceSpec]) -> None:
    if any(spec.http for spec in services) and port_open(settings.api_port):
        raise InfrastructureError(
            f"port {settings.api_port} is already in use; stop what listens there or set "
            "MIGRATION_API_PORT to a free port"
        )


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Until the supervisor takes over, SIGTERM unwinds like Ctrl-C (servers get stopped)."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _ignore_stop_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
