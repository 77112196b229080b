"""What an archive holds, counted from its entries while it is read (pure).

Counts come from the ``.meta`` entries (or, for ``meta=0`` archives, from the bare files), so
a message that cannot be imported still counts as expected in its folder: the outcome then
shows it as missing rather than silently smaller totals.
"""

from collections import Counter
from dataclasses import dataclass, field

from mailferry_runner_tgz.folders import FolderKind, folder_kind, zimbra_path
from mailferry_runner_tgz.items import CONTAINERS, ItemType

NOT_MAIL_LABELS: dict[int, str] = {
    ItemType.CONTACT: "contacts",
    ItemType.APPOINTMENT: "appointments",
    ItemType.TASK: "tasks",
    ItemType.DOCUMENT: "documents",
    ItemType.WIKI: "wiki pages",
    ItemType.NOTE: "notes",
    ItemType.CHAT: "chats",
}
"""Item types an IMAP server cannot hold, with the word used in reports."""


@dataclass(frozen=True)
class Problem:
    """An entry that could not be used; ``code`` follows Zimbra's (``MISMATCHED_SIZE``...)."""

    entry: str
    code: str
    detail: str

    def line(self) -> str:
        return f"{self.entry}: {self.code} ({self.detail})"


@dataclass
class FolderInventory:
    """One Zimbra folder: items per type, messages refused, message bytes."""

    path: tuple[str, ...]
    zimbra_id: int | None = None
    view: int | None = None
    items: Counter[int] = field(default_factory=Counter)
    refused: int = 0
    message_bytes: int = 0

    @property
    def kind(self) -> FolderKind:
        return folder_kind(self.path, self.zimbra_id, self.view)

    @property
    def messages(self) -> int:
        return self.items[ItemType.MESSAGE]

    @property
    def contents(self) -> int:
        """Items Zimbra counts in the folder (``Msg Count`` of ``getAllFolders``)."""
        return sum(n for item_type, n in self.items.items() if item_type not in CONTAINERS)

    @property
    def name(self) -> str:
        return zimbra_path(self.path)


@dataclass
class Inventory:
    """Everything one pass over an archive learned.

    ``stopped`` says why reading ended early (a truncated or damaged stream): what came before
    is valid, what came after is unknown. ``unreadable`` means nothing could be read at all.
    """

    folders: dict[tuple[str, ...], FolderInventory] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    tags: dict[int, str] = field(default_factory=dict)
    entries: int = 0
    with_meta: bool = False
    stopped: str | None = None
    unreadable: str | None = None

    def folder(self, path: tuple[str, ...]) -> FolderInventory:
        found = self.folders.get(path)
        if found is None:
            found = self.folders[path] = FolderInventory(path)
        return found

    def count(self, path: tuple[str, ...], item_type: int) -> FolderInventory:
        folder = self.folder(path)
        folder.items[item_type] += 1
        return folder

    def refuse(self, folder: FolderInventory | None, entry: str, code: str, detail: str) -> Problem:
        if folder is not None:
            folder.refused += 1
        problem = Problem(entry, code, detail)
        self.problems.append(problem)
        return problem

    @property
    def complete(self) -> bool:
        return self.stopped is None and self.unreadable is None

    @property
    def messages(self) -> int:
        return sum(f.messages for f in self.folders.values())

    def not_mail(self) -> dict[str, int]:
        """Totals of items IMAP cannot hold, by report word (only those present)."""
        totals: Counter[str] = Counter()
        for folder in self.folders.values():
            for item_type, label in NOT_MAIL_LABELS.items():
                totals[label] += folder.items[item_type]
        return {label: n for label, n in totals.items() if n}
