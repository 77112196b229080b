"""What one Zimbra ``.meta`` entry says about its item (pure).

The ``.meta`` JSON is ``ItemData.toJSON`` (FORMAT.md): the item's type, its folder ``Path`` (the
only trustworthy folder: tar directories carry ``!N`` batch suffixes and sanitised names),
flags, tags, date in seconds, blob size, and ``Ver``, which Zimbra's importer refuses above 10.
"""

import json
from dataclasses import dataclass
from enum import IntEnum

from mailferry_runner_tgz.bencode import BencodeError, decode

LEGACY_METADATA_VERSION = 10
"""The only ``Ver`` Zimbra writes; its importer refuses anything greater."""


class ItemType(IntEnum):
    """Zimbra item types (``MailItem.Type``); the number is also the tar ``devmajor``."""

    FOLDER = 1
    SEARCH_FOLDER = 2
    TAG = 3
    CONVERSATION = 4
    MESSAGE = 5
    CONTACT = 6
    DOCUMENT = 8
    NOTE = 9
    FLAG = 10
    APPOINTMENT = 11
    MOUNTPOINT = 13
    WIKI = 14
    TASK = 15
    CHAT = 16


CONTAINERS = frozenset({ItemType.FOLDER, ItemType.SEARCH_FOLDER, ItemType.MOUNTPOINT})
NAMED_IN_PATH = frozenset({ItemType.DOCUMENT, ItemType.WIKI})
"""Types whose ``Path`` ends with the item's own name (``/Briefcase/report.pdf``)."""


class MetaError(ValueError):
    """A ``.meta`` the importer cannot use; ``code`` is Zimbra's formatter error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ItemMeta:
    """The fields of a ``.meta`` this runner uses.

    ``folder`` is the Zimbra folder path holding the item; for a folder item it is the
    folder's own path. ``flag_str`` is None when the key is absent (then ``flags`` and
    ``unread`` apply). ``tags`` are decoded names; ``tag_ids`` the pre-6.0.7 numeric form.
    """

    item_id: int
    type: int
    folder: tuple[str, ...]
    date: int
    size: int
    blob_digest: str
    flag_str: str | None
    flags: int
    unread: int
    tags: tuple[str, ...]
    tag_ids: tuple[int, ...]
    name: str
    version: int
    view: int | None = None

    @property
    def item_type(self) -> ItemType | None:
        try:
            return ItemType(self.type)
        except ValueError:
            return None


def parse_meta(raw: bytes) -> ItemMeta:
    """Decode one ``.meta``; raise ``MetaError`` naming what is wrong.

    A ``Ver`` above 10 is decoded all the same (its ``Path`` still says where the item
    belonged); refusing it is the caller's decision.
    """
    fields = _json_object(raw)
    version = _int(fields, "Ver", LEGACY_METADATA_VERSION)
    item_type = _optional_int(fields, "type")
    path = fields.get("Path")
    if item_type is None or not isinstance(path, str):
        raise MetaError("INVALID_FORMAT", "the .meta has no type or no Path")
    tags, tag_ids = _tags(fields)
    return ItemMeta(
        item_id=_int(fields, "id", 0),
        type=item_type,
        folder=folder_of(path, item_type),
        date=_int(fields, "date", 0),
        size=_int(fields, "size", 0),
        blob_digest=_str(fields, "blob_digest"),
        flag_str=_optional_str(fields, "FlagStr"),
        flags=_int(fields, "flags", 0),
        unread=_int(fields, "unread", 0),
        tags=tags,
        tag_ids=tag_ids,
        name=_str(fields, "name") or _str(fields, "subject"),
        version=version,
        view=folder_view(_str(fields, "metadata")) if item_type == ItemType.FOLDER else None,
    )


def folder_of(path: str, item_type: int) -> tuple[str, ...]:
    """The folder path from ``Path``: ``/Inbox/`` and ``/Inbox`` both give ``("Inbox",)``."""
    parts = tuple(part for part in path.split("/") if part)
    return parts[:-1] if item_type in NAMED_IN_PATH and parts else parts


def folder_view(metadata: str) -> int | None:
    """A folder's default view (``vt``, an item type number) from its bencoded metadata."""
    try:
        decoded = decode(metadata) if metadata else None
    except BencodeError:
        return None
    view = decoded.get("vt") if isinstance(decoded, dict) else None
    return view if isinstance(view, int) else None


def split_tag_names(serialized: str) -> tuple[str, ...]:
    r"""``TagNames``: names joined by ``:``; ``\\`` and ``\:`` escape inside a name.

    Zimbra's own reader skips unescaping when there is no ``:`` at all (a single tag named
    ``a\b`` comes back as ``a\\b``); this decodes what its writer meant.
    """
    names: list[str] = []
    current: list[str] = []
    escaped = False
    for char in serialized:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    return tuple(name for name in names if name)


def _tags(fields: dict[str, object]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    names = _str(fields, "TagNames")
    if names:
        return split_tag_names(names), ()
    old = _str(fields, "TagStr")
    if old and all(part.strip().isdigit() for part in old.split(",")):
        return (), tuple(int(part) for part in old.split(","))
    # 6.0.6 wrote ":name:name" in TagStr.
    return split_tag_names(old), ()


def _json_object(raw: bytes) -> dict[str, object]:
    try:
        fields = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetaError("INVALID_FORMAT", f"the .meta is not JSON: {exc}") from None
    if not isinstance(fields, dict):
        raise MetaError("INVALID_FORMAT", "the .meta is not a JSON object")
    return fields


def _int(fields: dict[str, object], key: str, default: int) -> int:
    value = _optional_int(fields, key)
    return default if value is None else value


def _optional_int(fields: dict[str, object], key: str) -> int | None:
    value = fields.get(key)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise MetaError("INVALID_FORMAT", f"{key} is not an integer: {value!r}")


def _optional_str(fields: dict[str, object], key: str) -> str | None:
    value = fields.get(key)
    return value if isinstance(value, str) else None


def _str(fields: dict[str, object], key: str) -> str:
    value = fields.get(key)
    return value if isinstance(value, str) else ""
