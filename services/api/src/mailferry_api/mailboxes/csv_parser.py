"""Mailbox CSV files -> rows, or every reason the file cannot be read. Pure.

Comma or semicolon (whichever splits the header into more columns), UTF-8 with or without BOM.
Errors carry the physical line number in the file (the header line is line 1); a quoted value
spanning lines is reported at the line where its record starts.
"""

import csv
import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

from mailferry_api.mailboxes.csv_headers import HeaderMap, accepted_headers, map_headers
from mailferry_api.mailboxes.rows import (
    NEEDS_SOURCE_PASSWORD,
    MailboxRow,
    ParsedImport,
    RowError,
)
from mailferry_contracts.common import SourceType

CSV_NUMBERING = "line = physical line number in the uploaded file; the header line is line 1"
BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", ";")
_DELIMITER_NAMES = {"\t": "TAB", "|": "'|'", ":": "':'", " ": "space"}


def _parsed(**kwargs: Any) -> ParsedImport:
    return ParsedImport(origin="csv", numbering=CSV_NUMBERING, **kwargs)


def _fail(line: int | None, message: str) -> ParsedImport:
    return _parsed(errors=[RowError(line, None, message)])


def decode_csv(data: bytes) -> tuple[str | None, list[RowError]]:
    """UTF-8 text without BOM, or errors naming the lines that are not UTF-8 text."""
    data = data.removeprefix(BOM)
    if not data.strip():
        return None, [RowError(1, None, "the file is empty")]
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, [RowError(line, None, "binary data (NUL byte): this is not a CSV text file")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    errors = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"invalid UTF-8 at column {exc.start + 1}: save the file as UTF-8"
            errors.append(RowError(number, None, message))
    return None, errors


class CsvSyntaxError(ValueError):
    """Broken quoting or an oversized field; the file cannot be read past ``line``."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(physical start line, cells) of each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    previous = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells
    except csv.Error as exc:
        raise CsvSyntaxError(previous + 1, f"the file is not valid CSV here: {exc}") from exc


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def detect_delimiter(header_line: str) -> tuple[str | None, str]:
    """The delimiter splitting the header into most columns, or None and the reason."""
    best = max(DELIMITERS, key=lambda d: len(next(csv.reader([header_line], delimiter=d))))
    if len(next(csv.reader([header_line], delimiter=best))) > 1:
        return best, ""
    seen = Counter(c for c in header_line if c in _DELIMITER_NAMES)
    if seen:
        name = _DELIMITER_NAMES[seen.most_common(1)[0][0]]
        return None, f"wrong delimiter: the header is one column; the file seems to use {name}"
    return None, "wrong delimiter: the header is one column (no comma or semicolon found)"


def _header_errors(header: HeaderMap, line: int) -> list[RowError]:
    errors = [RowError(line, None, conflict) for conflict in header.conflicts]
    if not header.has("source_email") and not header.has("source_user"):
        hint = f" (columns not recognised: {', '.join(header.unknown)})" if header.unknown else ""
        message = f"missing column source_email (accepted: {accepted_headers('source_email')})"
        errors.append(RowError(line, "source_email", message + hint))
    return errors


def _cell(cells: list[str], header: HeaderMap, name: str) -> str:
    index = header.columns.get(name)
    return cells[index].strip() if index is not None else ""


def _secret(cells: list[str], header: HeaderMap, name: str) -> str:
    index = header.columns.get(name)
    return cells[index] if index is not None else ""


def build_row(line: int, row: int, cells: list[str], header: HeaderMap) -> MailboxRow:
    """A row from its cells; addresses default from logins and from the source."""
    user = _cell(cells, header, "source_user")
    source_email = _cell(cells, header, "source_email") or (user if "@" in user else "")
    target_user = _cell(cells, header, "target_user")
    target_email = _cell(cells, header, "target_email") or (
        target_user if "@" in target_user else source_email
    )
    return MailboxRow(
        line=line,
        row=row,
        source_email=source_email,
        source_user=user or source_email,
        target_email=target_email,
        target_user=target_user or target_email,
        source_type=_cell(cells, header, "source_type") or SourceType.IMAP.value,
        folder_map_text=_cell(cells, header, "folder_map"),
        source_password=_secret(cells, header, "source_password"),
        target_password=_secret(cells, header, "target_password"),
    )


def _shape_errors(line: int, cells: list[str], width: int) -> list[RowError]:
    if len(cells) != width:
        message = f"row has {len(cells)} fields, the header has {width}"
        hint = " (an unquoted delimiter inside a value?)" if len(cells) > width else ""
        return [RowError(line, None, message + hint)]
    if any("\r" in c or "\n" in c for c in cells):
        return [RowError(line, None, "a value contains a line break (CR/LF)")]
    return []


def _read_rows(
    records: Iterator[tuple[int, list[str]]], header: HeaderMap, width: int, max_rows: int
) -> ParsedImport:
    parsed = _parsed(target_password_required=header.has("target_password"))
    try:
        for count, (line, cells) in enumerate(records, start=1):
            if count > max_rows:
                message = f"more than {max_rows} rows: split the file"
                parsed.errors.append(RowError(line, None, message))
                break
            problems = _shape_errors(line, cells, width)
            parsed.errors.extend(problems)
            if not problems:
                parsed.rows.append(build_row(line, count, cells, header))
    except CsvSyntaxError as exc:
        parsed.errors.append(RowError(exc.line, None, str(exc)))
    return parsed


def _check_passwords(parsed: ParsedImport, header: HeaderMap, header_line: int) -> None:
    types = {row.source_type.strip().lower() or "imap" for row in parsed.rows}
    needed = not header.has("source_password") and types & {t.value for t in NEEDS_SOURCE_PASSWORD}
    if needed:
        accepted = accepted_headers("source_password")
        message = f"missing column source_password (accepted: {accepted})"
        parsed.errors.insert(0, RowError(header_line, "source_password", message))
        parsed.rows = []
    if not header.has("target_password"):
        parsed.warnings.append(
            "no target password column: the destination is reached with its admin login"
        )


def parse_csv(data: bytes, *, max_rows: int) -> ParsedImport:
    """Read a mailbox CSV; per-row field checks are left to ``rows.row_errors``."""
    text, errors = decode_csv(data)
    if text is None:
        return _parsed(errors=errors)
    delimiter, problem = detect_delimiter(_first_line(text))
    if delimiter is None:
        return _fail(1, problem)
    return _parse_records(_records(text, delimiter), max_rows)


def _parse_records(records: Iterator[tuple[int, list[str]]], max_rows: int) -> ParsedImport:
    try:
        first = next(records, None)
    except CsvSyntaxError as exc:
        return _fail(exc.line, str(exc))
    if first is None:
        return _fail(1, "the file has no header line")
    header_line, headers = first
    header = map_headers(headers)
    if errors := _header_errors(header, header_line):
        return _parsed(errors=errors)
    parsed = _read_rows(records, header, len(headers), max_rows)
    if not parsed.rows and not parsed.errors:
        return _fail(header_line + 1, "no mailbox rows below the header")
    _check_passwords(parsed, header, header_line)
    if header.unknown:
        parsed.warnings.append(f"columns ignored: {', '.join(header.unknown)}")
    return parsed
