"""Rows and parsed imports -> mailbox responses."""

from typing import Any

from mailferry_api.mailboxes.rows import MailboxRow, ParsedImport, RowError
from mailferry_api.mailboxes.schemas import (
    ImportPreviewOut,
    MailboxDetailOut,
    MailboxOut,
    PreviewRow,
    RowErrorOut,
)

MAX_LISTED_ERRORS = 1000
"""Errors listed in one response; ``total_errors`` always counts them all."""


def _mailbox_fields(row: dict[str, Any]) -> dict[str, Any]:
    fields = dict(row)
    fields["row"] = fields.pop("row_number")
    fields["sync_percent"] = float(fields["sync_percent"])
    ratio = fields.get("verify_ratio")
    fields["verify_ratio"] = float(ratio) if ratio is not None else None
    return fields


def mailbox_out(row: dict[str, Any]) -> MailboxOut:
    """A list item."""
    return MailboxOut.model_validate(_mailbox_fields(row))


def mailbox_detail(row: dict[str, Any]) -> MailboxDetailOut:
    """A mailbox with its JSON detail."""
    return MailboxDetailOut.model_validate(_mailbox_fields(row))


def errors_out(errors: list[RowError]) -> list[RowErrorOut]:
    """At most MAX_LISTED_ERRORS errors."""
    return [
        RowErrorOut(line=e.line, field=e.field, message=e.message)
        for e in errors[:MAX_LISTED_ERRORS]
    ]


def error_details(parsed: ParsedImport, errors: list[RowError]) -> dict[str, Any]:
    """The ``details`` of a 422 for an invalid import."""
    return {
        "numbering": parsed.numbering,
        "errors": [e.model_dump() for e in errors_out(errors)],
        "total_errors": len(errors),
        "truncated": len(errors) > MAX_LISTED_ERRORS,
    }


def _preview_row(row: MailboxRow) -> PreviewRow:
    return PreviewRow(
        line=row.line,
        row=row.row,
        source_email=row.source_email,
        source_user=row.source_user,
        target_email=row.target_email,
        target_user=row.target_user,
        source_type=row.source_type,
        folder_map=row.folder_map,
        has_source_password=bool(row.source_password),
        has_target_password=bool(row.target_password),
    )


def preview(parsed: ParsedImport, errors: list[RowError]) -> ImportPreviewOut:
    """The dry-run answer."""
    return ImportPreviewOut(
        valid=not errors,
        count=len(parsed.rows),
        numbering=parsed.numbering,
        rows=[_preview_row(r) for r in parsed.rows],
        errors=errors_out(errors),
        total_errors=len(errors),
        warnings=parsed.warnings,
    )
