"""What an archive -> IMAP upload will do, per folder, before it starts (pure).

Mail folders (empty ones too: the user made them) map to IMAP folders with their expected
message counts; folders of contacts, appointments, tasks and documents are listed apart with
what they hold, since an IMAP server cannot store those items.
"""

from dataclasses import dataclass, field

from mailferry_runner_tgz.folders import FolderKind, imap_target
from mailferry_runner_tgz.inventory import NOT_MAIL_LABELS, FolderInventory, Inventory


@dataclass(frozen=True)
class FolderPlan:
    """One Zimbra mail folder: where it goes and how many messages the archive holds."""

    source: str
    target: str
    special_use: str | None
    expected: int
    refused: int


@dataclass(frozen=True)
class SkippedFolder:
    """A Zimbra folder that is not mail, with its items by report word."""

    source: str
    kind: FolderKind
    items: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ImapPlan:
    """The upload's folders in path order; ``total`` feeds progress percentages."""

    folders: tuple[FolderPlan, ...]
    skipped: tuple[SkippedFolder, ...]

    @property
    def total(self) -> int:
        return sum(f.expected - f.refused for f in self.folders)


def imap_plan(inventory: Inventory) -> ImapPlan:
    """Plan the upload of everything the archive's inventory lists."""
    ordered = sorted(inventory.folders.values(), key=lambda f: f.path)
    return ImapPlan(
        tuple(_plan(f) for f in ordered if is_mail(f)),
        tuple(_skipped(f) for f in ordered if not is_mail(f)),
    )


def is_mail(folder: FolderInventory) -> bool:
    """A folder to create at the destination: a mail folder, or any folder holding messages."""
    return folder.kind == FolderKind.MAIL or folder.messages > 0


def _plan(folder: FolderInventory) -> FolderPlan:
    target = imap_target(folder.path)
    return FolderPlan(
        folder.name, target.folder, target.special_use, folder.messages, folder.refused
    )


def _skipped(folder: FolderInventory) -> SkippedFolder:
    items = {label: folder.items[t] for t, label in NOT_MAIL_LABELS.items() if folder.items[t]}
    return SkippedFolder(folder.name, folder.kind, items)
