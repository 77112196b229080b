"""Verification: both sides (or an upload's expectation) counted per destination folder."""

import asyncio
from collections.abc import Mapping

from mailferry_contracts.mailboxes import FolderVerification
from mailferry_imap.client import ImapClient
from mailferry_imap.endpoint import Endpoint
from mailferry_imap.errors import ImapError
from mailferry_imap.mapping import FolderPlan, MappedFolder
from mailferry_imap.options import SyncOptions
from mailferry_imap.reports import (
    LogCallback,
    VerifyReport,
    ignore,
)
from mailferry_imap.session import (
    Discovery,
    close_all,
    connect,
    connect_both,
    discover,
    first_error,
    plan_between,
)
from mailferry_imap.uploader import map_local


async def verify_mailbox(
    source: Endpoint,
    destination: Endpoint,
    options: SyncOptions | None = None,
    *,
    log: LogCallback | None = None,
) -> VerifyReport:
    """STATUS on both sides per destination folder, through the mapping (merged = summed)."""
    options = options or SyncOptions()
    log = log or ignore
    src, dst = await connect_both(source, destination, options.timeout)
    try:
        if not isinstance(src, ImapClient) or not isinstance(dst, ImapClient):
            error = first_error(src, dst) or ImapError("internal", "no client")
            return VerifyReport(
                ok=False, error_class=error.error_class, error_message=error.message
            )
        src_found, dst_found = await asyncio.gather(
            discover(src, with_size=True), discover(dst, with_size=True)
        )
        return _verification(
            plan_between(src_found, dst_found, options.rules()), src_found, dst_found, log
        )
    except ImapError as exc:
        return VerifyReport(ok=False, error_class=exc.error_class, error_message=exc.message)
    finally:
        await close_all(src, dst)


def _verification(
    plan: FolderPlan, src: Discovery, dst: Discovery, log: LogCallback
) -> VerifyReport:
    folders: list[FolderVerification] = []
    bytes_src = bytes_dst = 0
    for key, mapped in plan.groups().items():
        source_status = [src.status.get(folder.source.raw) for folder in mapped]
        target = dst.status.get(key) if dst.selectable(key) else None
        roles = {folder.role for folder in mapped}
        verification = FolderVerification(
            source_folders=[folder.source.name for folder in mapped],
            destination_folder=mapped[0].destination,
            source_messages=sum((s.messages or 0) for s in source_status if s),
            destination_messages=(target.messages or 0) if target else 0,
            role="inbox" if "inbox" in roles else "sent" if "sent" in roles else "other",
        )
        bytes_src += sum((s.size or 0) for s in source_status if s)
        bytes_dst += (target.size or 0) if target else 0
        log(
            f"{' + '.join(verification.source_folders)} -> {verification.destination_folder}: "
            f"{verification.source_messages} / {verification.destination_messages}"
        )
        folders.append(verification)
    return VerifyReport(
        ok=True,
        folders=folders,
        source_messages=sum(f.source_messages for f in folders),
        destination_messages=sum(f.destination_messages for f in folders),
        source_bytes=bytes_src,
        destination_bytes=bytes_dst,
    )


async def verify_upload(
    destination: Endpoint,
    expected: Mapping[str, int],
    options: SyncOptions | None = None,
    *,
    log: LogCallback | None = None,
) -> VerifyReport:
    """STATUS per destination folder against what an upload expected there.

    ``expected`` maps local folders (as given to ``upload_messages``) to their message counts;
    each is mapped exactly as the uploader maps it, and folders sharing a destination are
    summed. A destination folder that does not exist counts 0.
    """
    options = options or SyncOptions()
    log = log or ignore
    try:
        client = await connect(destination, "destination", options.timeout)
    except ImapError as exc:
        return VerifyReport(ok=False, error_class=exc.error_class, error_message=exc.message)
    try:
        found = await discover(client, with_size=True)
        return _upload_verification(expected, found, options, log)
    except ImapError as exc:
        return VerifyReport(ok=False, error_class=exc.error_class, error_message=exc.message)
    finally:
        await close_all(client)


def _upload_verification(
    expected: Mapping[str, int], found: Discovery, options: SyncOptions, log: LogCallback
) -> VerifyReport:
    groups: dict[str, list[tuple[str, MappedFolder]]] = {}
    for local, _ in sorted(expected.items()):
        mapped = map_local(local, found, options)
        if mapped is not None:
            groups.setdefault(mapped.destination_raw, []).append((local, mapped))
    folders: list[FolderVerification] = []
    destination_bytes = 0
    for raw, members in groups.items():
        status = found.status.get(raw) if found.selectable(raw) else None
        roles = {mapped.role for _, mapped in members}
        verification = FolderVerification(
            source_folders=[local for local, _ in members],
            destination_folder=members[0][1].destination,
            source_messages=sum(expected[local] for local, _ in members),
            destination_messages=(status.messages or 0) if status else 0,
            role="inbox" if "inbox" in roles else "sent" if "sent" in roles else "other",
        )
        destination_bytes += (status.size or 0) if status else 0
        log(
            f"{' + '.join(verification.source_folders)} -> {verification.destination_folder}: "
            f"{verification.source_messages} expected / {verification.destination_messages} there"
        )
        folders.append(verification)
    return VerifyReport(
        ok=True,
        folders=folders,
        source_messages=sum(f.source_messages for f in folders),
        destination_messages=sum(f.destination_messages for f in folders),
        destination_bytes=destination_bytes,
    )
