"""``python -m mailferry_vault rotate``: re-encrypt every secret under the primary key.

Set ``MIGRATION_CREDENTIALS_KEY`` to ``new:<base64>,old:<base64>`` (new primary first, old key
kept so that old blobs open), run ``rotate``, then drop the old key once the report lists it
as sealing nothing.
"""

import argparse
import asyncio
import sys

from mailferry_bus import BusSettings, open_bus
from mailferry_vault.keyring import KeyRingError
from mailferry_vault.rotation import rotate_all
from mailferry_vault.settings import VaultSettings
from mailferry_vault.startup import open_checked_vault, require_keyring


class _Settings(VaultSettings, BusSettings):
    """Key ring and NATS, from ``MIGRATION_*`` variables."""


async def _rotate() -> int:
    settings = _Settings()
    require_keyring(settings, "mailferry_vault rotate")  # before connecting: fail fast
    bus = await open_bus(settings, "mailferry-vault-rotate")
    try:
        vault = await open_checked_vault(bus.js, settings, "mailferry_vault rotate")
        report = await rotate_all(bus, vault)
    finally:
        await bus.close()
    sys.stdout.write(report.render() + "\n")
    return 1 if report.result.failed else 0


def main(argv: list[str]) -> int:
    """Run the command in ``argv``; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m mailferry_vault")
    parser.add_argument("command", choices=["rotate"], help="rotate: re-encrypt every secret")
    parser.parse_args(argv)
    try:
        return asyncio.run(_rotate())
    except KeyRingError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
