"""SQL the live streams need: the projector's position and whether a job exists."""

import uuid
from typing import Any

from psycopg import AsyncConnection

from mailferry_contracts.subjects import PROJECTOR_DURABLE


async def projected_position(conn: AsyncConnection[Any]) -> int:
    """The last event-log sequence the read models include (0: nothing projected yet)."""
    cursor = await conn.execute(
        "SELECT last_seq FROM projection_tracking WHERE name = %s", [PROJECTOR_DURABLE]
    )
    row = await cursor.fetchone()
    return int(row["last_seq"]) if row else 0


async def job_exists(conn: AsyncConnection[Any], job_id: uuid.UUID) -> bool:
    """Whether the read model knows the job."""
    cursor = await conn.execute("SELECT 1 AS one FROM migration_jobs WHERE id = %s", [job_id])
    return await cursor.fetchone() is not None
