"""Passwords into the vault, concurrently but bounded; and out again when an import fails."""

import asyncio
import logging
import uuid
from collections.abc import Iterator, Sequence

from mailferry_api.mailboxes.rows import MailboxRow
from mailferry_vault import CredentialVault

log = logging.getLogger(__name__)

Refs = tuple[str | None, str | None]
"""(source credential ref, target credential ref) of one mailbox."""


async def _drain(
    jobs: Iterator[tuple[int, int, str, uuid.UUID]],
    vault: CredentialVault,
    refs: list[list[str | None]],
    stored: list[str],
) -> None:
    for index, side, secret, mailbox_id in jobs:
        ref = await vault.put(secret, mailbox_id=mailbox_id)
        stored.append(ref)
        refs[index][side] = ref


async def store_secrets(
    vault: CredentialVault,
    rows: Sequence[MailboxRow],
    mailbox_ids: Sequence[uuid.UUID],
    concurrency: int,
) -> list[Refs]:
    """Seal every non-empty password; ``concurrency`` workers share one queue of secrets.

    If anything fails, the secrets stored so far are destroyed before the error propagates.
    """
    refs: list[list[str | None]] = [[None, None] for _ in rows]
    stored: list[str] = []
    jobs = (
        (index, side, secret, mailbox_id)
        for index, (row, mailbox_id) in enumerate(zip(rows, mailbox_ids, strict=True))
        for side, secret in enumerate((row.source_password, row.target_password))
        if secret
    )
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(concurrency):
                group.create_task(_drain(jobs, vault, refs, stored))
    except BaseException:
        await destroy_secrets(vault, stored, concurrency)
        raise
    return [(source, target) for source, target in refs]


async def destroy_secrets(vault: CredentialVault, refs: Sequence[str], concurrency: int) -> None:
    """Destroy secrets of an import that did not happen (bounded, shielded from cancel)."""
    pending = iter(list(refs))

    async def worker() -> None:
        for ref in pending:
            await vault.destroy([ref])

    async def all_workers() -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, max(len(refs), 1))):
                group.create_task(worker())

    if refs:
        log.info("destroying %d secrets of an import that was not recorded", len(refs))
        await asyncio.shield(all_workers())
