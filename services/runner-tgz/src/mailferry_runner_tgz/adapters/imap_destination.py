"""The job's IMAP destination: upload an archive's messages, count them, survey the mailbox.

The upload is the shared uploader (``mailferry_imap.upload_messages``): folders mapped like
source folders, identity dedup (a second run uploads nothing), flags and internal dates kept.
Counting afterwards is independent of it: one LIST-STATUS of the destination, each local
folder mapped by the uploader's own rule (``mailferry_imap.uploader.map_local``: automap by
name, subfolders following their top folder's role, the job's folder map and excludes) and its
destination folder's MESSAGES read.
"""

from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass

from mailferry_contracts.common import FolderStat, Quota
from mailferry_imap import Endpoint, LocalMessage, SyncOptions, UploadReport, upload_messages
from mailferry_imap.mapping import MappedFolder
from mailferry_imap.reports import LogCallback, ProgressCallback
from mailferry_imap.session import Discovery, close_all, connect, discover
from mailferry_imap.uploader import map_local
from mailferry_runner_tgz.verification import DestinationCount


@dataclass(frozen=True)
class Survey:
    """What a preflight learns about the destination mailbox."""

    folders: list[FolderStat]
    quota: Quota | None


class ImapDestination:
    """One mailbox on the job's destination server (``ImapError`` on failures to reach it)."""

    def __init__(self, endpoint: Endpoint, options: SyncOptions) -> None:
        self.endpoint = endpoint
        self.options = options

    @property
    def label(self) -> str:
        return self.endpoint.label

    async def upload(
        self,
        messages: AsyncIterable[LocalMessage],
        *,
        total: int,
        progress: ProgressCallback,
        log: LogCallback,
    ) -> UploadReport:
        return await upload_messages(
            self.endpoint, messages, self.options, total=total, progress=progress, log=log
        )

    async def counts(self, local_folders: Iterable[str]) -> dict[str, DestinationCount]:
        """Per local folder, where it goes and how many messages are there now (or: excluded)."""
        found = await self._discover(with_size=False)
        counts: dict[str, DestinationCount] = {}
        for local in local_folders:
            mapped = map_local(local, found, self.options)
            if mapped is None:  # the job's options leave it out: nothing goes there
                counts[local] = DestinationCount(local, 0, excluded=True)
                continue
            status = found.status.get(mapped.destination_raw) if _exists(found, mapped) else None
            counts[local] = DestinationCount(
                mapped.destination, (status.messages or 0) if status else 0
            )
        return counts

    async def survey(self) -> Survey:
        """Log in, list the folders with counts and sizes, read the quota."""
        client = await connect(self.endpoint, "destination", self.options.timeout)
        try:
            found = await discover(client, with_size=True)
            quota = await client.quota()
        finally:
            await close_all(client)
        return Survey(_folder_stats(found), quota)

    async def _discover(self, *, with_size: bool) -> Discovery:
        client = await connect(self.endpoint, "destination", self.options.timeout)
        try:
            return await discover(client, with_size=with_size)
        finally:
            await close_all(client)


def _exists(found: Discovery, mapped: MappedFolder) -> bool:
    return found.selectable(mapped.destination_raw)


def _folder_stats(found: Discovery) -> list[FolderStat]:
    stats = []
    for entry in found.entries:
        if not entry.selectable:
            continue
        status = found.status.get(entry.raw)
        stats.append(
            FolderStat(
                name=entry.name,
                messages=(status.messages or 0) if status else 0,
                bytes=(status.size or 0) if status else 0,
                special_use=entry.special_use,
            )
        )
    return stats
