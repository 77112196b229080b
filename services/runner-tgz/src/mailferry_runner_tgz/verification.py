"""Both sides counted per destination folder, for MailboxVerified (pure).

Source folders are Zimbra folders: from the archive just exported (a sync) or from
``getAllFolders`` on the source (a verify). Only mail folders count: contacts, calendars,
tasks and documents are reported elsewhere as "not mail". A source folder is looked up at the
destination by a ``key``: its Zimbra path (Carbonio, where paths stay the same) or the local
IMAP folder the uploader maps (``INBOX/Projects``, ``Sent``). Folders merged into one
destination folder are summed; ``inbox`` and ``sent`` roles feed the gate's own checks.

In a sync the archive's messages refused while reading are *not* counted at the source: they
are in the run's quarantine, which the gate's quarantine check covers; MailboxVerified's
``expected_messages`` still says how many the archive listed.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from mailferry_contracts.common import FolderStat
from mailferry_contracts.mailboxes import FolderVerification, MailboxVerified
from mailferry_runner_tgz.diagnosis import FolderRow
from mailferry_runner_tgz.folders import INBOX, SENT, FolderKind, imap_target, listed_kind
from mailferry_runner_tgz.inventory import Inventory
from mailferry_runner_tgz.plan import is_mail

Role = Literal["inbox", "sent", "other"]


@dataclass(frozen=True)
class SourceFolder:
    """A Zimbra mail folder with its message count and how the destination names it."""

    name: str
    key: str
    messages: int
    role: Role = "other"


@dataclass(frozen=True)
class DestinationCount:
    """The destination folder a source key ends up in, and its message count now.

    ``excluded``: the job's options leave this folder out, so it is neither copied nor counted.
    """

    name: str
    messages: int
    excluded: bool = False


def role_of(parts: tuple[str, ...]) -> Role:
    """``inbox`` for Zimbra's Inbox, ``sent`` for its Sent folder, else ``other``."""
    special_use = imap_target(parts).special_use
    return "inbox" if special_use == INBOX else "sent" if special_use == SENT else "other"


def imap_key(parts: tuple[str, ...]) -> str:
    """The local folder the uploader gets for a Zimbra folder (``ArchiveMessage.folder``)."""
    return imap_target(parts).folder


def zimbra_key(path: str) -> str:
    """Zimbra paths compare without case, as Zimbra's own folder lookup does."""
    return path.casefold()


def archive_sources(inventory: Inventory, *, imap: bool) -> list[SourceFolder]:
    """The archive's mail folders, refused messages left out (they are in the quarantine)."""
    return [
        SourceFolder(
            folder.name,
            imap_key(folder.path) if imap else zimbra_key(folder.name),
            folder.messages - folder.refused,
            role_of(folder.path),
        )
        for folder in sorted(inventory.folders.values(), key=lambda f: f.path)
        if is_mail(folder) and folder.path
    ]


def listed_sources(rows: Iterable[FolderRow], *, imap: bool) -> list[SourceFolder]:
    """The mail folders of a ``getAllFolders`` listing (not the root, not mountpoints)."""
    return [
        SourceFolder(
            row.path,
            imap_key(row.parts) if imap else zimbra_key(row.path),
            row.count,
            role_of(row.parts),
        )
        for row in rows
        if row.parts and not row.linked and listed_kind(row.parts, row.view) == FolderKind.MAIL
    ]


def listed_stats(rows: Iterable[FolderRow]) -> list[FolderStat]:
    """A preflight's view of a Zimbra mailbox: its mail folders with their counts."""
    return [
        FolderStat(
            name=s.name, messages=s.messages, special_use=imap_target(_parts(s.name)).special_use
        )
        for s in listed_sources(rows, imap=False)
    ]


def _parts(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


def listed_destinations(rows: Iterable[FolderRow]) -> dict[str, DestinationCount]:
    """A Carbonio ``getAllFolders`` listing as destination counts by Zimbra key."""
    return {zimbra_key(r.path): DestinationCount(r.path, r.count) for r in rows if not r.linked}


def verification(
    sources: Sequence[SourceFolder], destinations: Mapping[str, DestinationCount]
) -> list[FolderVerification]:
    """One FolderVerification per destination folder (sources merged there are summed).

    A source whose key is not at the destination counts against a folder of its own name
    holding 0 messages.
    """
    grouped: dict[str, list[SourceFolder]] = {}
    counts: dict[str, int] = {}
    for source in sources:
        found = destinations.get(source.key, DestinationCount(source.name, 0))
        if found.excluded:
            continue
        grouped.setdefault(found.name, []).append(source)
        counts[found.name] = found.messages
    return [
        FolderVerification(
            source_folders=[s.name for s in group],
            destination_folder=name,
            source_messages=sum(s.messages for s in group),
            destination_messages=counts[name],
            role=_role(group),
        )
        for name, group in grouped.items()
    ]


def mailbox_verified(
    job_id: uuid.UUID,
    run_id: uuid.UUID,
    folders: Sequence[FolderVerification],
    expected: int | None = None,
) -> MailboxVerified:
    """The fact: per destination folder, and the totals of both sides."""
    return MailboxVerified(
        job_id=job_id,
        run_id=run_id,
        folders=list(folders),
        source_messages=sum(f.source_messages for f in folders),
        destination_messages=sum(f.destination_messages for f in folders),
        expected_messages=expected,
    )


def lines(folders: Iterable[FolderVerification]) -> list[str]:
    """The verification for the run log: ``/Inbox -> INBOX: 12 at the source, 12 here``."""
    return [
        f"{' + '.join(f.source_folders)} -> {f.destination_folder}: "
        f"{f.source_messages} at the source, {f.destination_messages} at the destination"
        + (
            f" ({f.source_messages - f.destination_messages} missing)"
            if f.destination_messages < f.source_messages
            else ""
        )
        for f in folders
    ]


def found_per_source(
    sources: Sequence[SourceFolder], destinations: Mapping[str, DestinationCount]
) -> dict[str, int]:
    """Per source key, how many of its messages the destination holds (for the outcome).

    One destination folder's count is shared by the sources merged into it, in order, each
    taking at most what it expects; the last one takes the rest.
    """
    found: dict[str, int] = {}
    left = {d.name: d.messages for d in destinations.values() if not d.excluded}
    by_destination: dict[str, list[SourceFolder]] = {}
    for source in sources:
        there = destinations.get(source.key)
        if there is not None and not there.excluded:
            by_destination.setdefault(there.name, []).append(source)
    for name, group in by_destination.items():
        for position, source in enumerate(group):
            last = position == len(group) - 1
            share = left[name] if last else min(source.messages, left[name])
            found[source.key] = share
            left[name] -= share
    return found


def _role(group: Sequence[SourceFolder]) -> Role:
    roles = {s.role for s in group}
    return "inbox" if "inbox" in roles else "sent" if "sent" in roles else "other"
