"""Composable WHERE clauses shared by the ``queries.py`` modules."""

from collections.abc import Iterable
from typing import Any

from psycopg import sql


def equal_to(pairs: Iterable[tuple[str, Any]]) -> tuple[list[sql.Composable], list[Any]]:
    """``column = %s`` for each pair whose value is not None, with the values."""
    clauses: list[sql.Composable] = []
    params: list[Any] = []
    for column, value in pairs:
        if value is not None:
            clauses.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
            params.append(value)
    return clauses, params


def conjunction(clauses: list[sql.Composable]) -> sql.Composable:
    """The clauses joined by AND (TRUE when there are none)."""
    return sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")
