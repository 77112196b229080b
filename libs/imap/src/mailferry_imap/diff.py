"""What is missing at the destination (pure): a multiset comparison of identity keys.

Each destination folder is compared with the source folders mapped onto it. Every destination
message with key K "uses up" one source message with key K; the source messages left over are
missing and get copied. So two identical source messages and one at the destination give one
copy, and a rerun after a complete copy gives none.

With ``sync_flags``, a copy already at the destination gets the flags its source has and it
lacks (a message read at the source since the last run gets Seen). Flags are only ever added: after
the cutover people work at the destination, and a final sync must not undo what they did there.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SourceMessage:
    """A message at the source, with its key."""

    folder: str
    uid: int
    flags: tuple[str, ...]
    internal_date: str
    size: int
    key: bytes
    has_message_id: bool


@dataclass(frozen=True, slots=True)
class DestinationMessage:
    """A message already at the destination."""

    uid: int
    flags: tuple[str, ...]
    key: bytes


@dataclass
class GroupDiff:
    """The outcome of comparing one destination folder with its sources."""

    to_copy: list[SourceMessage] = field(default_factory=list)
    present: int = 0
    duplicates: int = 0
    no_message_id: int = 0
    flag_updates: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)


def flag_set(flags: Sequence[str]) -> frozenset[str]:
    r"""Flags as compared: case-insensitive, without ``\Recent``."""
    return frozenset(flag.lower() for flag in flags) - {"\\recent"}


def diff_group(
    sources: Sequence[SourceMessage],
    destination: Sequence[DestinationMessage],
    *,
    sync_flags: bool = True,
) -> GroupDiff:
    """Compare one destination folder with the messages of its source folders."""
    waiting: dict[bytes, list[DestinationMessage]] = defaultdict(list)
    for present in destination:
        waiting[present.key].append(present)
    result = GroupDiff()
    for message in sources:
        matches = waiting.get(message.key)
        if matches:
            result.present += 1
            _compare_flags(message, matches.pop(), result, sync_flags)
        else:
            result.to_copy.append(message)
    counts = Counter(message.key for message in sources)
    result.duplicates = sum(count - 1 for count in counts.values() if count > 1)
    result.no_message_id = sum(1 for message in sources if not message.has_message_id)
    return result


def _compare_flags(
    source: SourceMessage, target: DestinationMessage, result: GroupDiff, sync_flags: bool
) -> None:
    if not sync_flags:
        return
    missing = flag_set(source.flags) - flag_set(target.flags)
    if missing:
        added = tuple(flag for flag in source.flags if flag.lower() in missing)
        result.flag_updates.append((target.uid, added))
