"""CSV of the audit trail, safe to open in a spreadsheet. Pure.

A cell starting with ``= + - @`` (or TAB/CR/LF) is read as a formula by Excel, LibreOffice and
Sheets; an actor name or user agent is attacker-controlled text, so such cells get a leading
apostrophe (OWASP "CSV injection"), which spreadsheets show as text and hide.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
COLUMNS = (
    "seq", "occurred_at", "event_type", "aggregate_type", "aggregate_id", "job_id",
    "actor_kind", "actor_user", "actor_role", "actor_ip", "actor_user_agent", "summary",
)  # fmt: skip


def csv_safe(value: Any) -> str:
    """The cell text of ``value``, defused if a spreadsheet would evaluate it."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _line(cells: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(list(cells))
    return buffer.getvalue()


def header_line() -> str:
    """The first line of the export."""
    return _line(COLUMNS)


def row_line(row: Mapping[str, Any]) -> str:
    """One audit row as a CSV line."""
    return _line(csv_safe(row.get(column)) for column in COLUMNS)


def csv_lines(rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The header line, then one line per audit row."""
    yield header_line()
    for row in rows:
        yield row_line(row)
