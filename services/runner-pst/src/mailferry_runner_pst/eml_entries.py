"""Which entries of an uploaded zip of .eml files are safe to read, and into which folder (pure).

A zip is hostile input: names may climb out of any directory (``../``, absolute paths, drive
letters), and sizes may promise little and inflate to terabytes. Nothing is ever extracted to
disk; these checks decide per entry, and every refused entry is reported with its reason.
"""

from dataclasses import dataclass

_MIB = 1024 * 1024
_ENCRYPTED_FLAG = 0x1


@dataclass(frozen=True)
class ZipLimits:
    """Zip-bomb limits; ``max_ratio`` applies to entries above ``ratio_floor`` bytes."""

    max_entries: int = 200_000
    max_entry_bytes: int = 256 * _MIB
    max_total_bytes: int = 50 * 1024 * _MIB
    max_ratio: int = 100
    ratio_floor: int = _MIB


@dataclass(frozen=True)
class SkippedEntry:
    """A zip entry that was not imported, and why."""

    name: str
    reason: str


def entry_folder(name: str) -> tuple[str, ...] | None:
    """The folder path of an entry (its zip directories), None when the name is unsafe."""
    if "\\" in name or "\x00" in name or name.startswith("/") or ":" in name.split("/", 1)[0]:
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts[:-1]) or parts[-1] in ("", ".", ".."):
        return None
    return tuple(parts[:-1])


def is_message_entry(name: str) -> bool:
    """An ``.eml`` file that is not resource-fork or hidden-file debris."""
    base = name.rsplit("/", 1)[-1]
    if name.startswith("__MACOSX/") or base.startswith("."):
        return False
    return base.lower().endswith(".eml")


def refuse_entry(
    name: str, declared_size: int, compressed_size: int, flag_bits: int, limits: ZipLimits
) -> str | None:
    """Why an entry must not be read (None: read it, still capped at ``max_entry_bytes``)."""
    if entry_folder(name) is None:
        return "unsafe path (absolute, drive letter, backslash or '..')"
    if flag_bits & _ENCRYPTED_FLAG:
        return "encrypted entry"
    if not is_message_entry(name):
        return "not an .eml file"
    if declared_size > limits.max_entry_bytes:
        return f"larger than {limits.max_entry_bytes} bytes"
    if declared_size > limits.ratio_floor and declared_size > limits.max_ratio * max(
        compressed_size, 1
    ):
        return f"compression ratio above {limits.max_ratio}:1 (zip bomb?)"
    return None
