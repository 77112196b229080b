"""A mailbox to import, whatever format it came in, and the rules every row must satisfy. Pure.

Errors name the line (CSV: physical line of the file, header = 1; JSON: item number, first = 1)
and the field; they never quote a password.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from mailferry_contracts.common import SourceType
from mailferry_contracts.validators import email_problem, folder_map_problem, username_problem

MAX_USER = 256
MAX_SECRET = 8192
MAX_FOLDER_MAP = 4096
NEEDS_SOURCE_PASSWORD = frozenset({SourceType.IMAP, SourceType.IMAP_OAUTH, SourceType.DOVECOT})
"""Source types whose runner logs in to the source with the mailbox's own secret."""


@dataclass(frozen=True)
class RowError:
    """One problem: where (line, field) and what."""

    line: int | None
    field: str | None
    message: str


@dataclass
class MailboxRow:
    """One mailbox as submitted; passwords never appear in ``repr``."""

    line: int
    row: int
    source_email: str
    source_user: str
    target_email: str
    target_user: str
    source_type: str = SourceType.IMAP.value
    folder_map_text: str = ""
    source_password: str = field(default="", repr=False)
    target_password: str = field(default="", repr=False)
    folder_map: dict[str, str] = field(default_factory=dict)

    @property
    def email_key(self) -> str:
        """Duplicate key: the source address, case-insensitive."""
        return self.source_email.strip().lower()


@dataclass
class ParsedImport:
    """Rows read from a request, structural errors, and notes for the operator."""

    origin: Literal["csv", "json"]
    numbering: str
    rows: list[MailboxRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    target_password_required: bool = False


def parse_folder_map(text: str) -> dict[str, str]:
    """``{"Sent Items": "Sent"}`` as JSON, or ``Sent Items=Sent|Deleted Items=Trash``."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        value = json.loads(text)
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ValueError("must map folder names to folder names")
        return value
    pairs = [part.partition("=") for part in text.split("|") if part.strip()]
    if any(not sep for _, sep, _ in pairs):
        raise ValueError("expected 'Source=Target|Source=Target' or a JSON object")
    return {source.strip(): target.strip() for source, _, target in pairs}


def _text_errors(row: MailboxRow) -> Iterable[RowError]:
    for name in ("source_email", "target_email"):
        value = str(getattr(row, name))
        problem = email_problem(value) if value else "is empty: give an address (name@example.com)"
        if problem:
            yield RowError(row.line, name, f"{name} {problem}")
    for name in ("source_user", "target_user"):
        problem = username_problem(str(getattr(row, name)))
        if problem:
            yield RowError(row.line, name, f"{name} {problem}")
    for name in ("source_password", "target_password"):
        secret = str(getattr(row, name))
        if "\r" in secret or "\n" in secret or "\x00" in secret:
            yield RowError(row.line, name, f"{name} contains a line break or NUL")
        elif len(secret) > MAX_SECRET:
            yield RowError(row.line, name, f"{name} is longer than {MAX_SECRET} characters")


def _type_errors(row: MailboxRow, target_password_required: bool) -> Iterable[RowError]:
    try:
        source_type = SourceType(row.source_type.strip().lower() or SourceType.IMAP.value)
    except ValueError:
        choices = ", ".join(t.value for t in SourceType)
        yield RowError(row.line, "source_type", f"source_type must be one of {choices}")
        return
    row.source_type = source_type.value
    if source_type in NEEDS_SOURCE_PASSWORD and not row.source_password:
        yield RowError(
            row.line, "source_password", f"source_password is required for {source_type.value}"
        )
    if target_password_required and not row.target_password:
        yield RowError(row.line, "target_password", "target_password is empty")


def _folder_errors(row: MailboxRow) -> Iterable[RowError]:
    if len(row.folder_map_text) > MAX_FOLDER_MAP:
        yield RowError(row.line, "folder_map", f"folder_map is longer than {MAX_FOLDER_MAP}")
        return
    try:
        row.folder_map = row.folder_map or parse_folder_map(row.folder_map_text)
    except ValueError as exc:
        yield RowError(row.line, "folder_map", f"folder_map is invalid: {exc}")
        return
    problem = folder_map_problem(row.folder_map)
    if problem:
        yield RowError(row.line, "folder_map", f"folder_map {problem}")


def row_errors(row: MailboxRow, *, target_password_required: bool = False) -> list[RowError]:
    """Every problem of one row on its own."""
    return [
        *_text_errors(row),
        *_type_errors(row, target_password_required),
        *_folder_errors(row),
    ]


def duplicate_errors(
    rows: Iterable[MailboxRow], existing: Mapping[str, object], unit: str = "line"
) -> list[RowError]:
    """Rows whose source address repeats an earlier row or a mailbox the job already has."""
    first_line: dict[str, int] = {}
    errors: list[RowError] = []
    for row in rows:
        key = row.email_key
        if key in existing:
            message = f"source_email {row.source_email} is already a mailbox of this job"
            errors.append(RowError(row.line, "source_email", message))
        elif key in first_line:
            message = f"source_email {row.source_email} duplicates {unit} {first_line[key]}"
            errors.append(RowError(row.line, "source_email", message))
        else:
            first_line[key] = row.line
    return errors


def validate_rows(
    rows: list[MailboxRow],
    *,
    existing: Mapping[str, object],
    target_password_required: bool,
    unit: str = "line",
) -> list[RowError]:
    """Every problem of every row, duplicates included, in line order."""
    errors = [
        error
        for row in rows
        for error in row_errors(row, target_password_required=target_password_required)
    ]
    errors += duplicate_errors(rows, existing, unit)
    return sorted(errors, key=lambda e: e.line or 0)
