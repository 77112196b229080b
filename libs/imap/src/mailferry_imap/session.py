"""Opening both sides of a migration and listing what each holds."""

import asyncio
from dataclasses import dataclass

from mailferry_imap.client import ImapClient
from mailferry_imap.connection import Trace
from mailferry_imap.endpoint import Endpoint
from mailferry_imap.errors import ImapError, Side, classify_os_error
from mailferry_imap.listing import ListEntry, MailboxStatus, Namespace
from mailferry_imap.mapping import FolderPlan, FolderRules, plan_folders


@dataclass
class Discovery:
    """One side's namespace, folders and their STATUS."""

    namespace: Namespace
    entries: list[ListEntry]
    status: dict[str, MailboxStatus]

    def entry(self, raw: str) -> ListEntry | None:
        """The folder with this raw name, if listed."""
        return next((e for e in self.entries if e.raw == raw), None)

    def selectable(self, raw: str) -> bool:
        """Whether the folder exists and can hold messages."""
        entry = self.entry(raw)
        return entry is not None and entry.selectable


async def connect(
    endpoint: Endpoint, side: Side, idle_timeout: float, trace: Trace | None = None
) -> ImapClient:
    """Log in to one side; every failure becomes an ``ImapError`` with its class."""
    try:
        return await ImapClient.connect(endpoint, side, idle_timeout=idle_timeout, trace=trace)
    except (OSError, TimeoutError) as exc:
        raise classify_os_error(exc, f"{side} server {endpoint.host}:{endpoint.port}") from exc


async def connect_both(
    source: Endpoint, destination: Endpoint, idle_timeout: float, trace: Trace | None = None
) -> tuple[ImapClient | ImapError, ImapClient | ImapError]:
    """Log in to both sides at once; each result is a client or the error of that side."""
    results = await asyncio.gather(
        connect(source, "source", idle_timeout, trace),
        connect(destination, "destination", idle_timeout, trace),
        return_exceptions=True,
    )
    return _client_or_error(results[0]), _client_or_error(results[1])


def _client_or_error(result: ImapClient | BaseException) -> ImapClient | ImapError:
    if isinstance(result, ImapClient | ImapError):
        return result
    raise result


async def discover(client: ImapClient, *, with_size: bool = False) -> Discovery:
    """Namespace, folders (with special use) and STATUS of every selectable folder."""
    namespace = await client.namespace()
    entries, status = await client.list_folders(client.status_items(with_size=with_size))
    return Discovery(namespace, entries, status)


async def close_all(*clients: ImapClient | ImapError | None) -> None:
    """LOGOUT every client that is open; never raises."""
    await asyncio.gather(
        *(c.logout() for c in clients if isinstance(c, ImapClient)), return_exceptions=True
    )


def first_error(*sides: ImapClient | ImapError) -> ImapError | None:
    """The first side that failed to log in, if any."""
    return next((side for side in sides if isinstance(side, ImapError)), None)


def plan_between(source: Discovery, destination: Discovery, rules: FolderRules) -> FolderPlan:
    """The folder mapping between two listed sides."""
    return plan_folders(
        source.entries, source.namespace, destination.entries, destination.namespace, rules
    )
