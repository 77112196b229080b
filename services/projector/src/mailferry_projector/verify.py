"""``rebuild --verify``: rebuild into a scratch schema and diff it against the live read models.

Read models are disposable only if the log alone reproduces them: any difference here is a
projector bug or a hand-edited row. The scratch copy is built up to the live position; then the
live projector is held (its advisory lock) for as long as it takes to bring the copy to the same
position and compare the tables, so both sides describe exactly the same events.
"""

from dataclasses import dataclass
from typing import Any

import psycopg
from nats.js import JetStreamContext
from psycopg import sql

from mailferry_contracts import subjects
from mailferry_projector.rebuild import rebuild, replay
from mailferry_projector.store import connection_kwargs, lock_key, owned_tables, tracked

_EXAMPLES = 3


@dataclass(frozen=True)
class TableDifference:
    """Rows one side has and the other lacks (a changed row counts on both sides)."""

    table: str
    only_live: int
    only_rebuilt: int
    examples: list[str]


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of a verification."""

    live_schema: str
    position: int
    tables: int
    differences: list[TableDifference]

    @property
    def identical(self) -> bool:
        """Whether the live read models equal a replay of the log."""
        return not self.differences


async def verify(
    js: JetStreamContext, database_url: str, live_schema: str, *, batch_size: int = 500
) -> VerifyReport:
    """Rebuild ``<live_schema>_verify`` and compare it with ``live_schema`` table by table."""
    scratch = f"{live_schema}_verify"
    live = await psycopg.AsyncConnection.connect(database_url, **connection_kwargs(live_schema))
    try:
        target = await tracked(live, subjects.PROJECTOR_DURABLE)
        await rebuild(js, database_url, scratch, batch_size=batch_size, until=target)
        await live.execute("SELECT pg_advisory_lock(%s)", (lock_key(live_schema),))
        position = await tracked(live, subjects.PROJECTOR_DURABLE)
        if position > target:
            await _catch_up(js, database_url, scratch, target, position, batch_size)
        differences = [
            d
            for table in owned_tables()
            if (d := await _diff(live, live_schema, scratch, table)) is not None
        ]
        await live.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(scratch))
        )
    finally:
        await live.close()  # also releases the advisory lock
    return VerifyReport(live_schema, position, len(owned_tables()), differences)


async def _catch_up(
    js: JetStreamContext, url: str, scratch: str, after: int, until: int, batch_size: int
) -> None:
    conn = await psycopg.AsyncConnection.connect(url, **connection_kwargs(scratch))
    try:
        await replay(js, conn, scratch, after, until, batch_size)
    finally:
        await conn.close()


async def _diff(
    conn: psycopg.AsyncConnection[Any], live: str, scratch: str, table: str
) -> TableDifference | None:
    only_live = await _except(conn, (live, table), (scratch, table))
    only_rebuilt = await _except(conn, (scratch, table), (live, table))
    if not only_live and not only_rebuilt:
        return None
    return TableDifference(
        table, len(only_live), len(only_rebuilt), _examples(only_live, only_rebuilt)
    )


def _examples(only_live: list[dict[str, Any]], only_rebuilt: list[dict[str, Any]]) -> list[str]:
    """Changed rows as their differing columns; rows on one side only as their first column."""
    rebuilt_by_key = {_key(row): row for row in only_rebuilt}
    examples = []
    for row in only_live[:_EXAMPLES]:
        twin = rebuilt_by_key.pop(_key(row), None)
        if twin is None:
            examples.append(f"only live: {_key(row)}")
            continue
        changed = [
            f"{col}: live {row[col]!r} / rebuilt {twin.get(col)!r}"
            for col in row
            if row[col] != twin.get(col)
        ]
        examples.append(f"{_key(row)}: " + "; ".join(changed)[:400])
    examples += [f"only rebuilt: {key}" for key in list(rebuilt_by_key)[:_EXAMPLES]]
    return examples


def _key(row: dict[str, Any]) -> str:
    column, value = next(iter(row.items()))
    return f"{column}={value}"


async def _except(
    conn: psycopg.AsyncConnection[Any], left: tuple[str, str], right: tuple[str, str]
) -> list[dict[str, Any]]:
    query = sql.SQL(
        "SELECT row_to_json(d) FROM (SELECT * FROM {} EXCEPT ALL SELECT * FROM {}) d"
    ).format(sql.Identifier(*left), sql.Identifier(*right))
    cursor = await conn.execute(query)
    return [row[0] for row in await cursor.fetchall()]
