"""What a PST holds, counted independently of readpst: item kinds and per-folder counts (pure).

The kinds mirror how libpst 0.6.76 sorts an item by its message class (case-insensitive prefix
match, in libpst's order), because that decides which readpst output file an item lands in, or
whether readpst skips it ("Unknown item type").
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class ItemKind(StrEnum):
    """What an item is, as far as readpst's output is concerned."""

    MAIL = "mail"  # IPM, IPM.Note*, REPORT.IPM.Note*, IPM.Schedule.Meeting*: readpst -> mbox
    APPOINTMENT = "appointment"  # IPM.Appointment*: -> calendar (VEVENT)
    CONTACT = "contact"  # IPM.Contact*: -> contacts (VCARD)
    JOURNAL = "journal"  # IPM.Activity*: -> journal
    POST = "post"  # IPM.Post*: skipped by readpst
    DISTRIBUTION_LIST = "distribution_list"  # IPM.DistList*: skipped by readpst
    TASK = "task"  # IPM.Task*: skipped by readpst
    STICKY_NOTE = "sticky_note"  # IPM.StickyNote*: skipped by readpst
    OTHER = "other"  # any other class: skipped by readpst
    UNKNOWN = "unknown"  # the class could not be read (damage): never assumed harmless


class OutputFile(StrEnum):
    """The per-folder files readpst -r writes."""

    MBOX = "mbox"
    CALENDAR = "calendar"
    CONTACTS = "contacts"
    JOURNAL = "journal"


OUTPUT_OF: Mapping[ItemKind, OutputFile] = {
    ItemKind.MAIL: OutputFile.MBOX,
    ItemKind.APPOINTMENT: OutputFile.CALENDAR,
    ItemKind.CONTACT: OutputFile.CONTACTS,
    ItemKind.JOURNAL: OutputFile.JOURNAL,
}
"""Where readpst writes each kind it extracts; kinds not listed are skipped by readpst."""

NOT_EXTRACTED: frozenset[ItemKind] = frozenset(
    {
        ItemKind.POST,
        ItemKind.DISTRIBUTION_LIST,
        ItemKind.TASK,
        ItemKind.STICKY_NOTE,
        ItemKind.OTHER,
    }
)

# libpst's own order matters: "IPM.Contact" is tested before "IPM.DistList" falls to OTHER.
_PREFIXES: tuple[tuple[str, ItemKind], ...] = (
    ("ipm.note", ItemKind.MAIL),
    ("ipm.contact", ItemKind.CONTACT),
    ("report.ipm.note", ItemKind.MAIL),
    ("ipm.activity", ItemKind.JOURNAL),
    ("ipm.appointment", ItemKind.APPOINTMENT),
    ("ipm.schedule.meeting", ItemKind.MAIL),
    ("ipm.stickynote", ItemKind.STICKY_NOTE),
    ("ipm.task", ItemKind.TASK),
    ("ipm.post", ItemKind.POST),
    ("ipm.distlist", ItemKind.DISTRIBUTION_LIST),
)


def classify(message_class: str | None) -> ItemKind:
    """The kind of an item with this message class (None: the class could not be read)."""
    if message_class is None:
        return ItemKind.UNKNOWN
    lowered = message_class.lower()
    if lowered == "ipm":
        return ItemKind.MAIL
    return next((kind for prefix, kind in _PREFIXES if lowered.startswith(prefix)), ItemKind.OTHER)


@dataclass(frozen=True)
class FolderCount:
    """One PST folder as counted from the file's own tables.

    ``path`` is the folder names below the store's top folder; ``()`` is the top folder itself
    (items there sit in the store root). ``total`` is None when no count could be read.
    """

    path: tuple[str, ...]
    total: int | None
    kinds: Mapping[ItemKind, int] = field(default_factory=dict)
    container_class: str = ""
    problems: tuple[str, ...] = ()

    def count(self, kind: ItemKind) -> int:
        return self.kinds.get(kind, 0)


@dataclass(frozen=True)
class StoreCount:
    """Everything the independent count learned about one PST/OST file."""

    display_name: str | None
    is_ost: bool
    file_format: str
    password_protected: bool
    folders: tuple[FolderCount, ...]
    problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every folder was counted and nothing in the tree was unreadable."""
        return not self.problems and all(
            f.total is not None and not f.problems for f in self.folders
        )


@dataclass(frozen=True)
class CountUnavailable:
    """The independent count could not read the file at all."""

    reason: str
    not_a_pst: bool = False
