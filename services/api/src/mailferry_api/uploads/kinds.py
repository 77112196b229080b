r"""Which kind of file an upload is, from its first bytes (pure).

A PST/OST starts with ``!BDN``; a zip (of .eml files) with ``PK\x03\x04`` (or the empty-zip
record ``PK\x05\x06``); an mbox with a ``From `` line (blank lines before it are tolerated,
as the mbox reader does). A requested kind must agree with the bytes: a text file sent as a
PST is refused here, not after minutes of streaming into storage and a runner's work.
"""

import re
from typing import Literal

UploadKind = Literal["pst", "mbox", "eml_zip"]
HEAD_BYTES = 64
"""Bytes needed to recognise a kind (fewer only when the file is shorter)."""

_MBOX = re.compile(rb"^\s*From ")
_NAMES: dict[str, str] = {"pst": "a PST/OST", "mbox": "an mbox", "eml_zip": "a zip of .eml files"}


class UnknownKindError(ValueError):
    """The bytes are none of the accepted kinds, or not the kind asked for."""


def detect(head: bytes) -> UploadKind | None:
    """The kind these first bytes announce, or None."""
    if head.startswith(b"!BDN"):
        return "pst"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "eml_zip"
    if _MBOX.match(head):
        return "mbox"
    return None


def decide_kind(head: bytes, requested: UploadKind | None) -> UploadKind:
    """The upload's kind; raises naming what was expected and what was found."""
    if not head:
        raise UnknownKindError("the file is empty")
    found = detect(head)
    if found is None:
        wanted = _NAMES[requested] if requested else "a PST/OST, an mbox or a zip of .eml files"
        raise UnknownKindError(f"the file is not {wanted} (unrecognised first bytes)")
    if requested is not None and requested != found:
        raise UnknownKindError(f"kind={requested} was given, but the file is {_NAMES[found]}")
    return found


def display_name(filename: str | None) -> str:
    """The client's file name for display: no directories, no control characters, ≤ 255."""
    base = re.split(r"[/\\]", filename or "")[-1]
    clean = "".join(ch for ch in base if ch.isprintable()).strip()
    return clean[:255] or "upload"
