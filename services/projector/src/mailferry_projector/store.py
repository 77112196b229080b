"""PostgreSQL side of the projector: pool, migrations, and "apply a batch + its position".

A batch and the tracking row that records its last stream sequence commit in one transaction,
so the read models never hold an event twice or miss one. Every apply transaction first takes
the schema's advisory lock; a rebuild holds the same lock for its whole run, so a live projector
and a rebuild never interleave. The position a process last wrote is compared with the tracking
row: when they differ, someone else (a rebuild) moved it, and the process must re-read the log
from the tracked position instead of applying what it holds.
"""

import hashlib
import logging
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import AsyncConnection, sql
from psycopg_pool import AsyncConnectionPool

from mailferry_projector.decoding import Decoded, Item, Rejected
from mailferry_projector.projection import project

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).parent / "sql"
_MIGRATION_FILE = re.compile(r"^\d{3}_[a-z0-9_]+\.sql$")
_CREATE_TABLE = re.compile(r"^CREATE TABLE (\w+)", re.MULTILINE)
VALUE_ERRORS = (psycopg.errors.DataError, psycopg.errors.IntegrityError)
"""Errors caused by an event's values: that event is recorded and skipped, the rest applied.
Any other error (a bug in the SQL, a lost connection) stops the batch and is retried."""


class PositionMovedError(RuntimeError):
    """The tracking row is not where this process left it: re-read the log from it."""

    def __init__(self, tracked: int, expected: int) -> None:
        super().__init__(f"tracking is at {tracked}, this process expected {expected}")
        self.tracked = tracked


class MigrationChangedError(RuntimeError):
    """An applied migration file was edited; add a new migration instead (or rebuild)."""


@dataclass(frozen=True)
class Migration:
    """One ``sql/NNN_name.sql`` file."""

    name: str
    text: str

    @property
    def digest(self) -> str:
        """SHA-256 of the file, recorded when applied."""
        return hashlib.sha256(self.text.encode()).hexdigest()


def migrations(directory: Path = SQL_DIR) -> list[Migration]:
    """The migration files in the order they apply."""
    files = sorted(p for p in directory.iterdir() if _MIGRATION_FILE.match(p.name))
    return [Migration(p.name, p.read_text(encoding="utf-8")) for p in files]


def owned_tables(directory: Path = SQL_DIR) -> list[str]:
    """Every table the migrations create, plus the migration ledger: what a rebuild drops."""
    names = [m for mig in migrations(directory) for m in _CREATE_TABLE.findall(mig.text)]
    return [*names, "schema_migrations"]


def lock_key(schema: str) -> int:
    """Advisory lock of one schema's read models, the same in every process."""
    return zlib.crc32(f"mailferry-projector:{schema}".encode())


def connection_kwargs(schema: str) -> dict[str, Any]:
    """Connection options: ``schema`` alone on the search path; transactions always explicit."""
    return {"options": f"-c search_path={schema}", "autocommit": True}


async def open_pool(url: str, schema: str, max_size: int = 4) -> AsyncConnectionPool:
    """An open pool whose connections read and write ``schema``."""
    pool = AsyncConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs=connection_kwargs(schema),
        check=AsyncConnectionPool.check_connection,
        name=f"projector-{schema}",
        open=False,
    )
    await pool.open(wait=True, timeout=30)
    return pool


async def migrate(conn: AsyncConnection[Any], schema: str) -> list[str]:
    """Apply the migrations not applied yet, in order; return their names."""
    done: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(schema),))
        await conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (name text PRIMARY KEY, sha256 text NOT NULL)"
        )
        cursor = await conn.execute("SELECT name, sha256 FROM schema_migrations")
        applied = dict(await cursor.fetchall())
        for migration in migrations():
            if migration.name in applied:
                _check_unchanged(migration, applied[migration.name])
                continue
            await conn.execute(migration.text)
            await conn.execute(
                "INSERT INTO schema_migrations (name, sha256) VALUES (%s, %s)",
                (migration.name, migration.digest),
            )
            done.append(migration.name)
    return done


def _check_unchanged(migration: Migration, digest: str) -> None:
    if digest != migration.digest:
        raise MigrationChangedError(
            f"sql/{migration.name} changed after it was applied; add a new migration "
            "(or run `python -m mailferry_projector rebuild`)"
        )


async def drop_owned(conn: AsyncConnection[Any], schema: str) -> None:
    """Drop the read models, the tracking and the ledger of ``schema``."""
    tables = sql.SQL(", ").join(sql.Identifier(schema, t) for t in owned_tables())
    await conn.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(tables))


async def tracked(conn: AsyncConnection[Any], name: str, *, lock: bool = False) -> int:
    """Last stream sequence applied by projection ``name`` (0 before the first batch)."""
    query = "SELECT last_seq FROM projection_tracking WHERE name = %s"
    cursor = await conn.execute(query + (" FOR UPDATE" if lock else ""), (name,))
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Tracking:
    """Whose position a batch advances."""

    schema: str
    name: str
    stream: str


async def apply_batch(
    conn: AsyncConnection[Any], tracking: Tracking, items: Sequence[Item], expected: int
) -> int:
    """Apply ``items`` after the tracked position in one transaction; return the new position.

    ``expected`` is the position this process last read or wrote; ``PositionMovedError`` when
    the tracking row says otherwise. Items at or below it are skipped: redelivery is harmless.
    """
    try:
        return await _apply(conn, tracking, items, expected, isolate=False)
    except VALUE_ERRORS as exc:
        log.warning("a batch failed on an event's values (%s); applying it event by event", exc)
        return await _apply(conn, tracking, items, expected, isolate=True)


async def _apply(
    conn: AsyncConnection[Any],
    tracking: Tracking,
    items: Sequence[Item],
    expected: int,
    *,
    isolate: bool,
) -> int:
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(tracking.schema),))
        position = await tracked(conn, tracking.name, lock=True)
        if position != expected:
            raise PositionMovedError(position, expected)
        fresh = [item for item in items if item.seq > position]
        if not fresh:
            return position
        if isolate:
            failed = await _apply_one_by_one(conn, fresh)
        else:
            async with conn.pipeline(), conn.cursor() as cur:
                await project(cur, [i for i in fresh if isinstance(i, Decoded)])
            failed = []
        rejected = [i for i in fresh if isinstance(i, Rejected)] + failed
        await _record(conn, tracking, rejected, fresh[-1].seq)
        return fresh[-1].seq


async def _apply_one_by_one(conn: AsyncConnection[Any], items: list[Item]) -> list[Rejected]:
    failed: list[Rejected] = []
    for item in items:
        if not isinstance(item, Decoded):
            continue
        try:
            async with conn.transaction(), conn.cursor() as cur:
                await project(cur, [item])
        except VALUE_ERRORS as exc:
            env = item.envelope
            log.error(  # noqa: TRY400 - the value at fault says it all; no traceback wanted
                "event %s (%s) at %d cannot be applied: %s", env.id, env.type, item.seq, exc
            )
            reason = f"cannot be applied: {type(exc).__name__}: {exc}"[:1000]
            failed.append(Rejected(item.seq, item.subject, env.type, env.schema_version, reason))
    return failed


async def _record(
    conn: AsyncConnection[Any], tracking: Tracking, rejected: list[Rejected], position: int
) -> None:
    async with conn.cursor() as cur:
        if rejected:
            await cur.executemany(
                """
                INSERT INTO projection_errors (seq, subject, event_type, schema_version, reason)
                VALUES (%s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING
                """,
                [(r.seq, r.subject, r.event_type, r.schema_version, r.reason) for r in rejected],
            )
        await cur.execute(
            """
            INSERT INTO projection_tracking (name, stream, last_seq) VALUES (%s, %s, %s)
            ON CONFLICT (name) DO UPDATE SET last_seq = EXCLUDED.last_seq, stream = EXCLUDED.stream
            """,
            (tracking.name, tracking.stream, position),
        )
