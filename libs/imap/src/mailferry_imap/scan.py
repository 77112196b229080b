"""Identity scans: every message of a folder with its key, flags, date and size."""

from collections.abc import Sequence

from mailferry_imap.client import ImapClient
from mailferry_imap.diff import DestinationMessage, SourceMessage
from mailferry_imap.identity import identity_key
from mailferry_imap.messages import MessageMeta, fetch_meta, fetch_text_digests

UNKNOWN_KEY = b""
"""Key of a message scanned without identity (it is computed while the body is copied)."""


async def _metas_with_keys(
    client: ImapClient, raw: str, identify: bool = True
) -> list[tuple[MessageMeta, bytes]]:
    info = await client.select(raw)
    if info.exists == 0:
        return []
    metas = await fetch_meta(client.conn, identify=identify)
    if not identify:
        return [(meta, UNKNOWN_KEY) for meta in metas]
    unkeyed = [meta.uid for meta in metas if meta.identity and not meta.identity.complete]
    digests = await fetch_text_digests(client.conn, unkeyed) if unkeyed else {}
    return [(meta, _key(meta, digests)) for meta in metas]


def _key(meta: MessageMeta, digests: dict[int, bytes]) -> bytes:
    if meta.identity is None:
        return UNKNOWN_KEY
    return identity_key(meta.identity, digests.get(meta.uid, b""))


async def scan_source(
    client: ImapClient, raw: str, *, identify: bool = True
) -> list[SourceMessage]:
    """Every message of a source folder (EXAMINE: read-only, no flag changes).

    With ``identify=False`` (the destination is empty, so everything is missing) only UID,
    flags, date and size are fetched, from the server's index; keys stay ``UNKNOWN_KEY``.
    """
    return [
        SourceMessage(
            folder=raw,
            uid=meta.uid,
            flags=meta.flags,
            internal_date=meta.internal_date,
            size=meta.size,
            key=key,
            has_message_id=meta.identity.has_message_id if meta.identity else True,
        )
        for meta, key in await _metas_with_keys(client, raw, identify)
    ]


async def scan_destination(client: ImapClient, raw: str) -> list[DestinationMessage]:
    """Every message of a destination folder."""
    return [
        DestinationMessage(uid=meta.uid, flags=meta.flags, key=key)
        for meta, key in await _metas_with_keys(client, raw)
    ]


async def store_flags(
    client: ImapClient, raw: str, updates: Sequence[tuple[int, tuple[str, ...]]]
) -> int:
    """Add flags to destination messages (SELECT read-write, pipelined ``+FLAGS.SILENT``)."""
    if not updates:
        return 0
    await client.select(raw, readonly=False)
    pendings = []
    for uid, flags in updates:
        flag_list = ("(" + " ".join(flags) + ")").encode("ascii", "replace")
        pendings.append(
            await client.conn.send("UID STORE", [str(uid).encode(), b"+FLAGS.SILENT", flag_list])
        )
    completions = [await pending.future for pending in pendings]
    return sum(1 for completion in completions if completion.ok)
