"""The SQL of each read model: one module per table, one function per event type.

Every function takes the cursor of the batch's transaction, the envelope and its stream
sequence, and only emits statements; the store decides the transaction and the pipeline.
Timestamps come from the envelope (``occurred_at``), never from the database clock, so that
a rebuild produces the same rows.
"""

from typing import Any

from psycopg import AsyncCursor
from psycopg.types.json import Jsonb

Cursor = AsyncCursor[Any]

RUNNING = ("queued", "running")
"""Run statuses before the final word (RunFinished)."""


def jsonb(value: Any) -> Jsonb:
    """A JSON parameter; pydantic models must be dumped with ``mode="json"`` first."""
    return Jsonb(value)
