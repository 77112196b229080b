"""Preflight and login check: can we log in, what is there, will it fit."""

from collections.abc import Sequence

from mailferry_contracts.common import FolderStat, Quota
from mailferry_imap.client import ImapClient
from mailferry_imap.connection import Untagged
from mailferry_imap.endpoint import Endpoint
from mailferry_imap.errors import OVER_QUOTA, ImapError, Side
from mailferry_imap.options import SyncOptions
from mailferry_imap.protocol import as_int, pairs
from mailferry_imap.reports import (
    FolderMapping,
    LogCallback,
    LoginResult,
    PreflightReport,
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


async def check_login(
    endpoint: Endpoint, side: Side = "source", idle_timeout: float = 60.0
) -> LoginResult:
    """Log in and out (imapsync's --justlogin)."""
    try:
        client = await connect(endpoint, side, idle_timeout)
    except ImapError as exc:
        return LoginResult(ok=False, error_class=exc.error_class, error_message=exc.message)
    await client.logout()
    return LoginResult(ok=True)


async def preflight(
    source: Endpoint,
    destination: Endpoint,
    options: SyncOptions | None = None,
    *,
    log: LogCallback | None = None,
) -> PreflightReport:
    """Logins on both sides, folders with counts and sizes, destination quota, the mapping."""
    options = options or SyncOptions()
    log = log or ignore
    src, dst = await connect_both(source, destination, options.timeout)
    try:
        return await _preflight(src, dst, options, log)
    except ImapError as exc:
        return PreflightReport(
            ok=False,
            error_class=exc.error_class,
            error_message=exc.message,
            source_login=_login(src),
            destination_login=_login(dst),
        )
    finally:
        await close_all(src, dst)


async def _preflight(
    src: ImapClient | ImapError, dst: ImapClient | ImapError, options: SyncOptions, log: LogCallback
) -> PreflightReport:
    src_found = await discover(src, with_size=True) if isinstance(src, ImapClient) else None
    dst_found = await discover(dst, with_size=True) if isinstance(dst, ImapClient) else None
    source_folders = await _folder_stats(src, src_found)
    quota = await dst.quota() if isinstance(dst, ImapClient) else None
    mapping: list[FolderMapping] = []
    if src_found and dst_found:
        plan = plan_between(src_found, dst_found, options.rules())
        mapping = [
            FolderMapping(source=f.source.name, destination=f.destination, how=f.how)
            for f in plan.folders
        ]
    error = first_error(src, dst) or _quota_problem(quota, source_folders)
    for line in mapping:
        log(f"{line.source} -> {line.destination} ({line.how})")
    return PreflightReport(
        ok=error is None,
        error_class=error.error_class if error else None,
        error_message=error.message if error else "",
        source_login=_login(src),
        destination_login=_login(dst),
        source_folders=source_folders,
        destination_folders=await _folder_stats(dst, dst_found),
        destination_quota=quota,
        mapping=mapping,
    )


def _login(side: ImapClient | ImapError) -> LoginResult:
    if isinstance(side, ImapError):
        return LoginResult(ok=False, error_class=side.error_class, error_message=side.message)
    return LoginResult(ok=True)


def _quota_problem(quota: Quota | None, folders: Sequence[FolderStat]) -> ImapError | None:
    if quota is None or not quota.limit_bytes:
        return None
    needed = quota.used_bytes + sum(folder.bytes for folder in folders)
    if needed <= quota.limit_bytes:
        return None
    return ImapError(
        OVER_QUOTA,
        f"the destination quota ({quota.limit_bytes} bytes, {quota.used_bytes} used) "
        f"cannot hold the source's {needed - quota.used_bytes} bytes",
    )


async def _folder_stats(
    client: ImapClient | ImapError, found: Discovery | None
) -> list[FolderStat]:
    if found is None or not isinstance(client, ImapClient):
        return []
    stats = []
    for entry in found.entries:
        if not entry.selectable:
            continue
        status = found.status.get(entry.raw)
        size = (
            status.size
            if status and status.size is not None
            else await _folder_bytes(client, entry.raw)
        )
        messages = status.messages if status and status.messages is not None else 0
        stats.append(
            FolderStat(
                name=entry.name, messages=messages, bytes=size, special_use=_use(entry.special_use)
            )
        )
    return stats


def _use(special_use: str | None) -> str | None:
    return "\\" + special_use[1:].capitalize() if special_use else None


async def _folder_bytes(client: ImapClient, raw: str) -> int:
    """Sum of RFC822.SIZE, for servers without STATUS=SIZE."""
    info = await client.select(raw)
    if not info.exists:
        return 0
    total = 0

    def on_fetch(response: Untagged) -> None:
        nonlocal total
        tokens = response.tokens()
        data = pairs(tokens[0]) if tokens and isinstance(tokens[0], list) else {}
        if "RFC822.SIZE" in data:
            total += as_int(data["RFC822.SIZE"], "RFC822.SIZE")

    await client.conn.run("FETCH", [b"1:*", b"(RFC822.SIZE)"], handlers={"FETCH": on_fetch})
    return total
