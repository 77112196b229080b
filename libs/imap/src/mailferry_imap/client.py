"""An authenticated IMAP session: login, folders, status, select, quota.

Message transfer (FETCH/APPEND) lives in ``messages``; this module holds everything about
folders and the session itself.
"""

import base64
from collections.abc import Sequence

from mailferry_contracts.common import Quota
from mailferry_imap.connection import Completion, Connection, Trace, Untagged
from mailferry_imap.endpoint import Endpoint
from mailferry_imap.errors import (
    FETCH_FAILED,
    FOLDER_FAILED,
    THROTTLED,
    CommandError,
    ImapError,
    Side,
    auth_failed,
)
from mailferry_imap.listing import (
    ListEntry,
    MailboxStatus,
    Namespace,
    SelectInfo,
    parse_list,
    parse_namespace,
    parse_quota,
)
from mailferry_imap.listing import parse_status as parse_status_data
from mailferry_imap.protocol import needs_literal, quote
from mailferry_imap.streams import LiteralArg

_THROTTLE_CODES = ("UNAVAILABLE", "LIMIT", "INUSE")


def astring(value: str) -> bytes | LiteralArg:
    """A string argument: atom or quoted when possible, else a literal."""
    if needs_literal(value):
        return LiteralArg.of(value.encode("utf-8", "surrogateescape"))
    return quote(value)


class ImapClient:
    """An authenticated session on one server."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.selected: str | None = None
        self.select_info: SelectInfo | None = None
        self._namespace: Namespace | None = None

    @classmethod
    async def connect(
        cls,
        endpoint: Endpoint,
        side: Side,
        *,
        idle_timeout: float = 60.0,
        trace: Trace | None = None,
    ) -> "ImapClient":
        """Open a connection and log in; errors carry the side's error class."""
        conn = await Connection.open(
            endpoint.host,
            endpoint.port,
            endpoint.security,
            side=side,
            verify_tls=endpoint.verify_tls,
            idle_timeout=idle_timeout,
            trace=trace,
        )
        client = cls(conn)
        try:
            await client._authenticate(endpoint)
        except BaseException:
            conn.close()
            raise
        return client

    async def _authenticate(self, endpoint: Endpoint) -> None:
        before = self.conn.capabilities
        secret = endpoint.secret.get_secret_value()
        if endpoint.auth == "xoauth2":
            token = f"user={endpoint.user}\x01auth=Bearer {secret}\x01\x01"
            await self._sasl("XOAUTH2", token.encode(), endpoint.user)
        elif endpoint.auth == "plain" or self.conn.has("LOGINDISABLED"):
            await self._sasl("PLAIN", f"\x00{endpoint.user}\x00{secret}".encode(), endpoint.user)
        else:
            args = [astring(endpoint.user), astring(secret)]
            pending = await self.conn.send("LOGIN", args, redact=True)
            self._check_auth(await pending.future, endpoint.user)
        if self.conn.capabilities is before:
            await self.conn.refresh_capabilities()

    async def _sasl(self, mechanism: str, response: bytes, user: str) -> None:
        encoded = base64.b64encode(response) or b"="
        sent = self.conn.has("SASL-IR")

        def on_continuation(_: bytes) -> None:
            # The first challenge wants the response; any later one is an error report
            # (XOAUTH2 sends JSON) that must be answered with an empty line.
            nonlocal sent
            self.conn.write_line(b"" if sent else encoded)
            sent = True

        args = [mechanism.encode("ascii")] + ([encoded] if sent else [])
        pending = await self.conn.send(
            "AUTHENTICATE", args, redact=True, on_continuation=on_continuation
        )
        self._check_auth(await pending.future, user)

    def _check_auth(self, completion: Completion, user: str) -> None:
        if completion.ok:
            return
        shown = f"[{completion.code}] " if completion.code else ""
        message = f"{self.conn.where} refused the login of {user!r}: {shown}{completion.text}"
        if completion.code in _THROTTLE_CODES:
            raise ImapError(THROTTLED, message)
        raise ImapError(auth_failed(self.conn.side), message)

    async def identify(self) -> None:
        """Send ID (RFC 2971) when offered; some servers insist on it."""
        if self.conn.has("ID"):
            pending = await self.conn.send(
                "ID", [b'("name" "mailferry")'], handlers={"ID": lambda _: None}
            )
            await pending.future

    async def namespace(self) -> Namespace:
        """The personal namespace (prefix and separator), asked once."""
        if self._namespace is None:
            self._namespace = await self._ask_namespace()
        return self._namespace

    async def _ask_namespace(self) -> Namespace:
        found: list[Namespace] = []
        if self.conn.has("NAMESPACE"):
            await self.conn.run(
                "NAMESPACE",
                handlers={"NAMESPACE": lambda r: found.append(parse_namespace(r.tokens()))},
            )
            if found:
                return found[0]
        entries: list[ListEntry] = []
        await self.conn.run(
            "LIST",
            [b'""', b'""'],
            handlers={"LIST": lambda r: entries.append(parse_list(r.tokens()))},
        )
        return Namespace(prefix="", delimiter=entries[0].delimiter if entries else "/")

    async def list_folders(
        self, status_items: Sequence[str] = ()
    ) -> tuple[list[ListEntry], dict[str, MailboxStatus]]:
        """Every folder with special-use attributes, and STATUS of the selectable ones."""
        entries: list[ListEntry] = []
        statuses: dict[str, MailboxStatus] = {}
        args = [b'""', b'"*"']
        returns = self._list_returns(status_items)
        if returns:
            args += [b"RETURN", returns]

        def on_status(response: Untagged) -> None:
            name, status = parse_status_data(response.tokens())
            statuses[name] = status

        handlers = {
            "LIST": lambda r: entries.append(parse_list(r.tokens())),
            "STATUS": on_status,
        }
        await self.conn.run("LIST", args, handlers=handlers, error_class=FOLDER_FAILED)
        missing = [e.raw for e in entries if e.selectable and e.raw not in statuses]
        if status_items and missing:
            statuses.update(await self.status(missing, status_items))
        return entries, statuses

    def _list_returns(self, status_items: Sequence[str]) -> bytes:
        if not self.conn.has("LIST-EXTENDED"):
            return b""
        options = ["SPECIAL-USE"] if self.conn.has("SPECIAL-USE") else []
        if status_items and self.conn.has("LIST-STATUS"):
            options.append(f"STATUS ({' '.join(status_items)})")
        return f"({' '.join(options)})".encode() if options else b""

    def status_items(self, *, with_size: bool = False) -> tuple[str, ...]:
        """The STATUS items this server can answer (HIGHESTMODSEQ, SIZE when offered)."""
        items = ["MESSAGES", "UIDNEXT", "UIDVALIDITY"]
        if self.conn.has("CONDSTORE"):
            items.append("HIGHESTMODSEQ")
        if with_size and self.conn.has("STATUS=SIZE"):
            items.append("SIZE")
        return tuple(items)

    async def status(self, raws: Sequence[str], items: Sequence[str]) -> dict[str, MailboxStatus]:
        """STATUS of several folders, pipelined."""
        found: dict[str, MailboxStatus] = {}

        def on_status(response: Untagged) -> None:
            name, status = parse_status_data(response.tokens())
            found[name] = status

        wanted = f"({' '.join(items)})".encode()
        pendings = [
            await self.conn.send(
                "STATUS", [mailbox_arg(raw), wanted], handlers={"STATUS": on_status}
            )
            for raw in raws
        ]
        for raw, pending in zip(raws, pendings, strict=True):
            self.conn.check(f"STATUS {raw}", await pending.future, FOLDER_FAILED)
        return found

    async def select(self, raw: str, *, readonly: bool = True) -> SelectInfo:
        """EXAMINE (or SELECT) a folder; a no-op when it is already selected that way."""
        if self.selected == raw and self.select_info and self.select_info.read_only == readonly:
            return self.select_info
        info = SelectInfo(read_only=readonly)

        def on_ok(response: Untagged) -> None:
            status = response.status()
            info.take_code(status.code, status.code_args)

        def on_exists(response: Untagged) -> None:
            info.exists = response.number or 0

        handlers = {"OK": on_ok, "EXISTS": on_exists, "FLAGS": lambda _: None}
        self.selected = None
        await self.conn.run(
            "EXAMINE" if readonly else "SELECT",
            [mailbox_arg(raw)],
            handlers=handlers,
            error_class=FOLDER_FAILED,
        )
        self.selected, self.select_info = raw, info
        return info

    async def uid_search(self, criteria: bytes = b"ALL") -> list[int]:
        """UIDs in the selected folder matching ``criteria`` (``UNSEEN``, ``SINCE 1-Jan-2024``)."""
        found: list[int] = []

        def on_search(response: Untagged) -> None:
            found.extend(int(n) for n in b"".join(response.parts).split() if n.isdigit())

        await self.conn.run(
            "UID SEARCH", [criteria], handlers={"SEARCH": on_search}, error_class=FETCH_FAILED
        )
        return found

    async def create(self, raw: str) -> bool:
        """CREATE a folder; False if it already existed."""
        completion = await (await self.conn.send("CREATE", [mailbox_arg(raw)])).future
        if completion.ok:
            return True
        if completion.code == "ALREADYEXISTS" or "exist" in completion.text.lower():
            return False
        raise CommandError(
            FOLDER_FAILED, f"CREATE {raw}", completion.status, completion.code, completion.text
        )

    async def subscribe(self, raw: str) -> bool:
        """SUBSCRIBE a folder; False (not an error) when the server refuses."""
        completion = await (await self.conn.send("SUBSCRIBE", [mailbox_arg(raw)])).future
        return completion.ok

    async def quota(self) -> Quota | None:
        """Storage quota of the INBOX's quota root, when the server reports one."""
        if not self.conn.has("QUOTA"):
            return None
        found: list[Quota] = []

        def on_quota(response: Untagged) -> None:
            quota = parse_quota(response.tokens())
            if quota is not None:
                found.append(quota)

        handlers = {"QUOTA": on_quota, "QUOTAROOT": lambda _: None}
        completion = await (
            await self.conn.send("GETQUOTAROOT", [b"INBOX"], handlers=handlers)
        ).future
        return found[0] if completion.ok and found else None

    async def logout(self) -> None:
        """LOGOUT and close."""
        await self.conn.logout()


def mailbox_arg(raw: str) -> bytes | LiteralArg:
    """A folder name argument (already in modified UTF-7)."""
    return astring(raw)
