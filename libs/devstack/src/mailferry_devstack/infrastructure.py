"""NATS and PostgreSQL for the local stack: started from the data dir unless URLs are given."""

import asyncio
import subprocess
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from mailferry_bus.connection import connect
from mailferry_devstack.nats_process import NatsProcess
from mailferry_devstack.postgres_cluster import PostgresCluster

DATABASE = "mailferry"

Say = Callable[[str], None]


class InfrastructureError(RuntimeError):
    """A server could not be started or reached; the message says where to look."""


def start_nats(store_dir: Path, stack: ExitStack, say: Say) -> str:
    """Start nats-server with JetStream on ``store_dir``; stopped when ``stack`` closes."""
    server = NatsProcess(store_dir=store_dir)
    try:
        server.start()
    except (RuntimeError, TimeoutError, OSError) as exc:
        server.stop()
        raise InfrastructureError(
            f"nats-server did not start: {exc} (log: {server.log_path})"
        ) from exc
    stack.callback(_stop_and_say, server.stop, "nats-server stopped", say)
    say(f"nats-server ready at {server.url} (store {store_dir}, log {server.log_path})")
    return server.url


def start_postgres(base_dir: Path, stack: ExitStack, say: Say) -> str:
    """Start (creating on first use) a durable private cluster; return the app database DSN."""
    cluster = PostgresCluster(base_dir=base_dir, fast_unsafe=False)
    reused = (cluster.data_dir / "PG_VERSION").exists()
    try:
        if cluster.is_running():
            say("stopping a PostgreSQL that an earlier run left behind")
            cluster.stop()
        cluster.start()
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip()
        raise InfrastructureError(
            f"PostgreSQL did not start: {detail or exc} (log: {base_dir / 'postgres.log'})"
        ) from exc
    stack.callback(_stop_and_say, cluster.stop, "PostgreSQL stopped", say)
    dsn = ensure_database(cluster.dsn, DATABASE)
    state = "reused" if reused else "created"
    say(f"PostgreSQL ready at {dsn} (cluster {cluster.data_dir}, {state})")
    return dsn


def ensure_database(server_dsn: str, name: str) -> str:
    """Create database ``name`` if missing; return its DSN."""
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, _ = server_dsn.rpartition("/")
    return f"{base}/{name}"


def check_nats(url: str) -> None:
    """Connect once: an unreachable or too old server (< 2.11) fails here, naming the URL."""

    async def probe() -> None:
        nc = await asyncio.wait_for(connect(url, "mailferry-devstack"), 15)
        await nc.close()

    try:
        asyncio.run(probe())
    except TimeoutError as exc:
        raise InfrastructureError(f"NATS at {redact_url(url)} did not answer") from exc
    except Exception as exc:
        raise InfrastructureError(f"NATS at {redact_url(url)} is not usable: {exc}") from exc


def check_database(dsn: str) -> None:
    """Connect once, so a wrong MIGRATION_DATABASE_URL fails before any service starts."""
    try:
        with psycopg.connect(dsn, connect_timeout=10) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        raise InfrastructureError(f"PostgreSQL is not usable: {exc}") from exc


def redact_url(url: str) -> str:
    """``url`` without a password, for messages: ``nats://user:***@host:4222``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _stop_and_say(stop: Callable[[], None], message: str, say: Say) -> None:
    stop()
    say(message)
