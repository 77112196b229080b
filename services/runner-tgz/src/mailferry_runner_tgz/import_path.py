"""Which way an exported archive goes to the destination, and why (pure).

Two ways exist:
- **carbonio**: the archive is posted to the destination Carbonio/Zimbra over SSH
  (``postRestURL '/?fmt=tgz&resolve=skip'``). Contacts, calendars, tasks, documents and tags
  arrive too, and counts come from ``getAllFolders`` there.
- **imap**: the archive is read here and its messages uploaded to the job's IMAP destination
  with the shared uploader (credentials from the vault). Only mail can go this way.

``MIGRATION_TGZ_IMPORT`` decides: ``carbonio`` and ``imap`` force one way; ``auto`` (the
default) takes carbonio only when ``MIGRATION_CARBONIO_SSH`` is set **and** names the job's own
destination host, because importing into a server the job does not name would put the mail
where nobody is going to look (and verify it there). Anything else is imap. The reason is
written into every run's log.
"""

from dataclasses import dataclass
from typing import Literal

from mailferry_contracts.common import ServerSettings
from mailferry_runner_tgz.zmmailbox import SshTarget

ImportChoice = Literal["auto", "carbonio", "imap"]
PathKind = Literal["carbonio", "imap"]


@dataclass(frozen=True)
class ImportPath:
    """The way chosen, and a sentence for the run log saying why."""

    kind: PathKind
    reason: str


def choose_import(
    choice: ImportChoice, carbonio: SshTarget | None, destination: ServerSettings
) -> ImportPath:
    """The import path for a job whose destination is ``destination``."""
    where = f"{destination.host}:{destination.port}"
    if choice == "imap":
        return ImportPath("imap", f"MIGRATION_TGZ_IMPORT=imap: IMAP upload to {where}")
    if carbonio is None:
        if choice == "carbonio":  # settings refuse this combination; kept total for safety
            raise ValueError("MIGRATION_TGZ_IMPORT=carbonio without MIGRATION_CARBONIO_SSH")
        return ImportPath(
            "imap",
            f"MIGRATION_CARBONIO_SSH is not set: IMAP upload to the job's destination {where}",
        )
    if choice == "carbonio":
        return ImportPath(
            "carbonio", f"MIGRATION_TGZ_IMPORT=carbonio: postRestURL on {carbonio} over SSH"
        )
    if same_host(carbonio.host, destination.host):
        return ImportPath(
            "carbonio",
            f"MIGRATION_CARBONIO_SSH ({carbonio}) is the job's destination host: postRestURL "
            "over SSH (contacts, calendars and tags arrive too)",
        )
    return ImportPath(
        "imap",
        f"MIGRATION_CARBONIO_SSH names {carbonio.host}, the job's destination is "
        f"{destination.host}: IMAP upload to {where} (MIGRATION_TGZ_IMPORT=carbonio forces "
        "the SSH import when both are the same server)",
    )


def same_host(a: str, b: str) -> bool:
    """Host names compare without case and without a trailing dot."""
    return a.rstrip(".").casefold() == b.rstrip(".").casefold()
