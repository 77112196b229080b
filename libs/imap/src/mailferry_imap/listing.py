"""What servers say about folders: LIST, NAMESPACE, STATUS, SELECT and QUOTA data (pure)."""

from collections.abc import Sequence
from dataclasses import dataclass

from mailferry_contracts.common import Quota
from mailferry_imap.protocol import ParseError, Token, as_int, as_text, pairs
from mailferry_imap.utf7 import decode_mutf7_lenient

SPECIAL_USES = ("\\sent", "\\trash", "\\junk", "\\drafts", "\\archive", "\\all", "\\flagged")
r"""RFC 6154 special-use attributes (lower case), plus the old XLIST ``\spam`` alias below."""
_LIST_FIELDS = 3
_PAIR = 2
_ALIASES = {"\\spam": "\\junk", "\\allmail": "\\all", "\\starred": "\\flagged"}


@dataclass(frozen=True, slots=True)
class ListEntry:
    r"""One folder from LIST.

    Attributes:
        raw: the name on the wire (modified UTF-7), used in commands.
        name: the decoded name, as people read it.
        delimiter: hierarchy separator, None for a flat namespace.
        flags: attributes in lower case, e.g. ``\noselect``, ``\sent``.
    """

    raw: str
    name: str
    delimiter: str | None
    flags: frozenset[str]

    @property
    def selectable(self) -> bool:
        """Whether the folder can hold messages."""
        return not self.flags & {"\\noselect", "\\nonexistent"}

    @property
    def special_use(self) -> str | None:
        r"""The folder's special use (``\sent``...), if the server marked it."""
        for use in SPECIAL_USES:
            if use in self.flags:
                return use
        return None


@dataclass(frozen=True, slots=True)
class Namespace:
    """The personal namespace: prefix (e.g. ``INBOX.``) and hierarchy separator."""

    prefix: str = ""
    delimiter: str | None = "/"


@dataclass(frozen=True, slots=True)
class MailboxStatus:
    """STATUS data; absent items are None."""

    messages: int | None = None
    uidnext: int | None = None
    uidvalidity: int | None = None
    highestmodseq: int | None = None
    size: int | None = None


def parse_list(tokens: Sequence[Token]) -> ListEntry:
    r"""``(\flags) "/" name [extended]`` from a LIST (or XLIST) response."""
    if len(tokens) < _LIST_FIELDS or not isinstance(tokens[0], list):
        raise ParseError(f"bad LIST response {tokens!r:.200}")
    flags = frozenset(_ALIASES.get(f, f) for f in (as_text(t).lower() for t in tokens[0]))
    delimiter = as_text(tokens[1]) or None
    raw = as_text(tokens[2])
    return ListEntry(raw=raw, name=_decode_name(raw), delimiter=delimiter, flags=flags)


def _decode_name(raw: str) -> str:
    if raw.upper() == "INBOX":
        return "INBOX"
    return decode_mutf7_lenient(raw)


def parse_namespace(tokens: Sequence[Token]) -> Namespace:
    """The first personal namespace of a NAMESPACE response."""
    personal = tokens[0] if tokens else None
    if not isinstance(personal, list) or not personal or not isinstance(personal[0], list):
        return Namespace()
    first = personal[0]
    return Namespace(prefix=as_text(first[0]), delimiter=as_text(first[1]) or None)


def parse_status(tokens: Sequence[Token]) -> tuple[str, MailboxStatus]:
    """``name (MESSAGES n UIDNEXT n ...)`` from a STATUS response."""
    if len(tokens) < _PAIR or not isinstance(tokens[1], list):
        raise ParseError(f"bad STATUS response {tokens!r:.200}")
    data = pairs(tokens[1])
    return as_text(tokens[0]), MailboxStatus(
        messages=_int(data, "MESSAGES"),
        uidnext=_int(data, "UIDNEXT"),
        uidvalidity=_int(data, "UIDVALIDITY"),
        highestmodseq=_int(data, "HIGHESTMODSEQ"),
        size=_int(data, "SIZE"),
    )


def _int(data: dict[str, Token], key: str) -> int | None:
    return as_int(data[key], key) if key in data else None


def parse_quota(tokens: Sequence[Token]) -> Quota | None:
    """``root (STORAGE used limit ...)`` from a QUOTA response (RFC 2087 counts KiB)."""
    if len(tokens) < _PAIR or not isinstance(tokens[1], list):
        return None
    items = tokens[1]
    for index in range(0, len(items) - 2, 3):
        if as_text(items[index]).upper() == "STORAGE":
            used = as_int(items[index + 1], "quota usage")
            limit = as_int(items[index + 2], "quota limit")
            return Quota(used_bytes=used * 1024, limit_bytes=limit * 1024)
    return None


@dataclass
class SelectInfo:
    """What SELECT/EXAMINE reported."""

    exists: int = 0
    uidvalidity: int | None = None
    uidnext: int | None = None
    highestmodseq: int | None = None
    permanent_flags: frozenset[str] = frozenset()
    read_only: bool = True

    def accepts_keywords(self) -> bool:
        r"""Whether new keywords may be stored (``\*`` in PERMANENTFLAGS)."""
        return "\\*" in self.permanent_flags

    def take_code(self, code: str | None, args: str) -> None:
        """Record a response code from an untagged OK during SELECT."""
        if code in ("UIDVALIDITY", "UIDNEXT", "HIGHESTMODSEQ") and args.strip().isdigit():
            setattr(self, code.lower(), int(args.strip()))
        elif code == "PERMANENTFLAGS":
            self.permanent_flags = frozenset(args.strip("()").split())
