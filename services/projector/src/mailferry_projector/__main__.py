"""``python -m mailferry_projector [run | rebuild [--schema S | --verify] | lag [--json]]``."""

import argparse
import asyncio
import json
import logging
import signal
import sys

from pydantic import ValidationError

from mailferry_bus import open_bus
from mailferry_contracts import subjects
from mailferry_projector.lag import measure
from mailferry_projector.main import create_app
from mailferry_projector.rebuild import rebuild
from mailferry_projector.settings import Settings
from mailferry_projector.store import open_pool
from mailferry_projector.verify import verify


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings()  # from MIGRATION_* variables
    except ValidationError as exc:
        sys.stderr.write(_describe(exc))
        return 2
    command = args.command or "run"
    if command == "rebuild" and args.verify:
        return asyncio.run(_verify(settings))
    if command == "rebuild":
        return asyncio.run(_rebuild(settings, args.schema or settings.projector_schema))
    if command == "lag":
        return asyncio.run(_lag(settings, as_json=args.json))
    return asyncio.run(_run(settings))


def _describe(exc: ValidationError) -> str:
    """One line per bad variable, without its value (a database URL may hold a password)."""
    lines = [
        f"MIGRATION_{'_'.join(map(str, error['loc'])).upper()}: {error['msg']}"
        for error in exc.errors()
    ]
    return "invalid settings:\n" + "\n".join(lines) + "\n"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mailferry_projector")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="project the event log into the read models (default)")
    rebuild_cmd = sub.add_parser("rebuild", help="drop the read models and replay the whole log")
    rebuild_cmd.add_argument("--schema", help="rebuild into this schema instead")
    rebuild_cmd.add_argument(
        "--verify",
        action="store_true",
        help="rebuild into a scratch schema and report every difference with the live models",
    )
    lag_cmd = sub.add_parser("lag", help="print the log's last sequence, the applied one, the lag")
    lag_cmd.add_argument("--json", action="store_true", help="print JSON")
    return parser


async def _run(settings: Settings) -> int:
    task = asyncio.current_task()
    assert task is not None  # noqa: S101 - always inside asyncio.run
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await create_app(settings).run()
    except asyncio.CancelledError:
        logging.getLogger(__name__).info("stopped")
    return 0


async def _verify(settings: Settings) -> int:
    bus = await open_bus(settings, "mailferry-projector-verify", ensure=False)
    try:
        url = settings.database_url.get_secret_value()
        report = await verify(
            bus.js, url, settings.projector_schema, batch_size=settings.projector_batch_size
        )
    finally:
        await bus.close()
    for difference in report.differences:
        sys.stdout.write(
            f"DIFFERENT {difference.table}: {difference.only_live} rows only in the live models, "
            f"{difference.only_rebuilt} only in the rebuild\n"
        )
        for example in difference.examples:
            sys.stdout.write(f"  {example}\n")
    verdict = "identical" if report.identical else "DIFFERENT"
    sys.stdout.write(
        f"{verdict}: {report.tables} tables of schema {report.live_schema} compared with a "
        f"replay of the log up to sequence {report.position}\n"
    )
    return 0 if report.identical else 1


async def _rebuild(settings: Settings, schema: str) -> int:
    bus = await open_bus(settings, "mailferry-projector-rebuild", ensure=False)
    try:
        url = settings.database_url.get_secret_value()
        report = await rebuild(bus.js, url, schema, batch_size=settings.projector_batch_size)
    finally:
        await bus.close()
    sys.stdout.write(
        f"rebuilt schema {report.schema}: {report.events} events up to sequence "
        f"{report.position}, {report.rejected} skipped, {report.seconds:.1f}s\n"
    )
    return 0


async def _lag(settings: Settings, *, as_json: bool) -> int:
    bus = await open_bus(settings, "mailferry-projector-lag", ensure=False)
    pool = await open_pool(settings.database_url.get_secret_value(), settings.projector_schema, 1)
    try:
        lag = await measure(bus.js, pool, subjects.PROJECTOR_DURABLE)
    finally:
        await pool.close()
        await bus.close()
    if as_json:
        sys.stdout.write(json.dumps(lag.as_dict()) + "\n")
    else:
        sys.stdout.write(
            f"stream last seq {lag.stream_last_seq}\napplied seq {lag.applied_seq}\nlag {lag.lag}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
