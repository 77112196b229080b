r"""Zimbra folder paths -> IMAP folders, and which Zimbra folders hold no mail (pure).

Zimbra's system folders keep fixed English names in every locale (the web client translates
only their labels), so matching them by name at the top level is exact:
``Inbox`` -> ``INBOX``, ``Sent``/``Drafts``/``Junk``/``Trash`` -> the destination's folder with
that special use (RFC 6154). Nested folders keep their names below the mapped parent.
``Contacts``, ``Emailed Contacts``, ``Calendar``, ``Tasks`` and ``Briefcase`` (and any user
folder whose default view is contacts, appointments, tasks or documents) hold items an IMAP
server cannot store; they are reported, never created at the destination.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from mailferry_runner_tgz.items import ItemType

INBOX = "INBOX"
SENT = "\\Sent"
DRAFTS = "\\Drafts"
JUNK = "\\Junk"
TRASH = "\\Trash"


class FolderKind(StrEnum):
    """What a Zimbra folder holds."""

    MAIL = "mail"
    CONTACTS = "contacts"
    CALENDAR = "calendar"
    TASKS = "tasks"
    BRIEFCASE = "briefcase"


_MAIL_ROLES: Mapping[str, tuple[str, str]] = {
    "inbox": ("INBOX", INBOX),
    "sent": ("Sent", SENT),
    "drafts": ("Drafts", DRAFTS),
    "junk": ("Junk", JUNK),
    "trash": ("Trash", TRASH),
}
_SYSTEM_KINDS: Mapping[str, FolderKind] = {
    "contacts": FolderKind.CONTACTS,
    "emailed contacts": FolderKind.CONTACTS,
    "calendar": FolderKind.CALENDAR,
    "tasks": FolderKind.TASKS,
    "briefcase": FolderKind.BRIEFCASE,
}
_SYSTEM_IDS: Mapping[int, FolderKind] = {
    7: FolderKind.CONTACTS,
    13: FolderKind.CONTACTS,
    10: FolderKind.CALENDAR,
    15: FolderKind.TASKS,
    16: FolderKind.BRIEFCASE,
}
_VIEWS: Mapping[int, FolderKind] = {
    ItemType.CONTACT: FolderKind.CONTACTS,
    ItemType.APPOINTMENT: FolderKind.CALENDAR,
    ItemType.TASK: FolderKind.TASKS,
    ItemType.DOCUMENT: FolderKind.BRIEFCASE,
    ItemType.WIKI: FolderKind.BRIEFCASE,
}


_LISTED_VIEWS: Mapping[str, FolderKind] = {
    "cont": FolderKind.CONTACTS,
    "appo": FolderKind.CALENDAR,
    "task": FolderKind.TASKS,
    "docu": FolderKind.BRIEFCASE,
    "wiki": FolderKind.BRIEFCASE,
}
"""``getAllFolders`` prints the default view cut to four letters (``contact`` -> ``cont``)."""


@dataclass(frozen=True)
class ImapTarget:
    """Where a Zimbra folder's messages go: a ``/``-separated local folder for the uploader."""

    folder: str
    special_use: str | None = None


def folder_kind(
    path: tuple[str, ...], zimbra_id: int | None = None, view: int | None = None
) -> FolderKind:
    """The kind of a folder from its system id, its default view, else its top-level name."""
    if zimbra_id is not None and zimbra_id in _SYSTEM_IDS:
        return _SYSTEM_IDS[zimbra_id]
    if view is not None:
        return _VIEWS.get(view, FolderKind.MAIL)
    if len(path) == 1:
        return _SYSTEM_KINDS.get(path[0].casefold(), FolderKind.MAIL)
    return FolderKind.MAIL


def imap_target(path: tuple[str, ...]) -> ImapTarget:
    """The IMAP folder for a Zimbra folder path; messages at the mailbox root go to INBOX."""
    if not path:
        return ImapTarget(INBOX, INBOX)
    role = _MAIL_ROLES.get(path[0].casefold())
    if role is None:
        return ImapTarget("/".join(path))
    name, special_use = role
    if len(path) == 1:
        return ImapTarget(name, special_use)
    return ImapTarget("/".join((name, *path[1:])))


def zimbra_path(path: tuple[str, ...]) -> str:
    """The path as Zimbra prints it (``/Inbox/Sub``; ``/`` for the root)."""
    return "/" + "/".join(path)


def listed_kind(path: tuple[str, ...], view: str) -> FolderKind:
    """The kind of a folder as ``getAllFolders`` lists it: its view, else its name."""
    return _LISTED_VIEWS.get(view.casefold()) or folder_kind(path)
