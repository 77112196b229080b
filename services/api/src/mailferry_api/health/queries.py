"""SQL of the readiness probe."""

from typing import Any

from psycopg import AsyncConnection

READ_MODEL_TABLES = (
    "migration_jobs",
    "migration_mailboxes",
    "migration_runs",
    "projection_tracking",
)


async def missing_tables(conn: AsyncConnection[Any]) -> list[str]:
    """Read-model tables that do not exist."""
    cursor = await conn.execute(
        "SELECT t FROM unnest(%s::text[]) AS t WHERE to_regclass(t) IS NULL",
        [list(READ_MODEL_TABLES)],
    )
    return [row["t"] for row in await cursor.fetchall()]


async def projected_sequence(conn: AsyncConnection[Any], stream: str) -> int | None:
    """The slowest projection's position in ``stream`` (None: nothing projected yet)."""
    cursor = await conn.execute(
        "SELECT min(last_seq) AS seq FROM projection_tracking WHERE stream = %s", [stream]
    )
    row = await cursor.fetchone()
    return int(row["seq"]) if row and row["seq"] is not None else None
