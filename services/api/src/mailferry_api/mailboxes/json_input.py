"""Mailboxes submitted as JSON (one object or a list) -> the same rows a CSV gives."""

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, ValidationError

from mailferry_api.mailboxes.rows import MAX_SECRET, MailboxRow, ParsedImport, RowError
from mailferry_contracts.common import SourceType

JSON_NUMBERING = "line = item number in the JSON list, first is 1 (a single object is item 1)"
_WRITE_ONLY: dict[str, Any] = {"writeOnly": True}


class MailboxIn(BaseModel):
    """One mailbox to import. Passwords are write-only: never returned."""

    model_config = ConfigDict(extra="forbid")

    source_email: str = Field(max_length=254, description="Address at the source")
    source_user: str | None = Field(default=None, max_length=256, description="Source login")
    source_password: SecretStr | None = Field(
        default=None,
        max_length=MAX_SECRET,
        json_schema_extra=_WRITE_ONLY,
        description="Source password or OAuth token (stored encrypted, never returned)",
    )
    target_email: str | None = Field(default=None, max_length=254, description="Destination")
    target_user: str | None = Field(default=None, max_length=256, description="Dest. login")
    target_password: SecretStr | None = Field(
        default=None,
        max_length=MAX_SECRET,
        json_schema_extra=_WRITE_ONLY,
        description="Destination password (stored encrypted, never returned)",
    )
    source_type: SourceType = Field(default=SourceType.IMAP, description="Where the mail is")
    folder_map: dict[str, str] = Field(default_factory=dict, description="Per-mailbox map")


MAILBOX_LIST: TypeAdapter[list[MailboxIn]] = TypeAdapter(list[MailboxIn])


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def to_row(item: MailboxIn, number: int) -> MailboxRow:
    """The row of one JSON item; addresses default like CSV rows do."""
    source_email = item.source_email.strip()
    target_email = (item.target_email or "").strip() or source_email
    return MailboxRow(
        line=number,
        row=number,
        source_email=source_email,
        source_user=(item.source_user or "").strip() or source_email,
        target_email=target_email,
        target_user=(item.target_user or "").strip() or target_email,
        source_type=item.source_type.value,
        source_password=_secret(item.source_password),
        target_password=_secret(item.target_password),
        folder_map=dict(item.folder_map),
    )


def _error(err: Any, single: bool) -> RowError:
    loc = list(err.get("loc", ()))
    line = 1 if single else (loc.pop(0) + 1 if loc and isinstance(loc[0], int) else None)
    name = ".".join(str(part) for part in loc) or None
    return RowError(line, name, f"{name or 'item'}: {err.get('msg', 'invalid')}")


def parse_json(data: bytes, *, max_rows: int) -> ParsedImport:
    """Validate a JSON body; errors never echo the submitted values."""
    parsed = ParsedImport(origin="json", numbering=JSON_NUMBERING)
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        parsed.errors.append(RowError(None, None, f"the body is not valid JSON: {exc}"))
        return parsed
    single = isinstance(raw, dict)
    if not single and not isinstance(raw, list):
        parsed.errors.append(RowError(None, None, "expected a mailbox object or a list of them"))
        return parsed
    if not single and len(raw) > max_rows:
        parsed.errors.append(RowError(None, None, f"more than {max_rows} mailboxes"))
        return parsed
    try:
        items = [MailboxIn.model_validate(raw)] if single else MAILBOX_LIST.validate_python(raw)
    except ValidationError as exc:
        parsed.errors.extend(_error(err, single) for err in exc.errors())
        return parsed
    if not items:
        parsed.errors.append(RowError(None, None, "the list of mailboxes is empty"))
    parsed.rows = [to_row(item, number) for number, item in enumerate(items, start=1)]
    return parsed
