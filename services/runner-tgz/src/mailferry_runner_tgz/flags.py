r"""Zimbra flags and tags -> IMAP flags and keywords (pure).

``FlagStr`` letters (``Flag.FlagInfo``): ``u`` absent -> ``\Seen``, ``f`` -> ``\Flagged``,
``r`` -> ``\Answered``, ``d`` -> ``\Draft``, ``x`` -> ``\Deleted``, ``w`` -> ``$Forwarded``,
``n`` (read receipt sent) -> ``$MDNSent``, as Zimbra's own IMAP server shows them. The other
letters (sent by me, attachment, priority...) describe the message and have no IMAP flag.
Without ``FlagStr`` the ``flags`` bitmask applies (bit = ``1 << (-flag_id - 1)``); unread is
then the ``unread`` count, since Zimbra keeps it out of the bitmask.
"""

import re
from collections.abc import Iterable, Mapping

from mailferry_runner_tgz.items import ItemMeta

SEEN = "\\Seen"
ANSWERED = "\\Answered"
FLAGGED = "\\Flagged"
DELETED = "\\Deleted"
DRAFT = "\\Draft"
FORWARDED = "$Forwarded"
MDN_SENT = "$MDNSent"

_BY_LETTER: Mapping[str, str] = {
    "f": FLAGGED,
    "r": ANSWERED,
    "d": DRAFT,
    "x": DELETED,
    "w": FORWARDED,
    "n": MDN_SENT,
}
_BY_BIT: Mapping[int, str] = {
    1 << 2: ANSWERED,  # REPLIED, id -3
    1 << 3: FORWARDED,  # FORWARDED, id -4
    1 << 5: FLAGGED,  # FLAGGED, id -6
    1 << 6: DRAFT,  # DRAFT, id -7
    1 << 7: DELETED,  # DELETED, id -8
    1 << 8: MDN_SENT,  # NOTIFIED, id -9
}
UNREAD_BIT = 1 << 9  # UNREAD, id -10
UNREAD_LETTER = "u"

# RFC 3501 atom: no SP, CTL, ( ) { % * " \ ] and nothing outside ASCII.
_NOT_ATOM = re.compile(r'[^\x21-\x7e]|[(){%*"\\\]]')


def meta_flags(meta: ItemMeta, tag_names: Mapping[int, str] | None = None) -> tuple[str, ...]:
    """IMAP flags and keywords of a message, sorted (stable bytes for APPEND and tests)."""
    flags = set(_system_flags(meta))
    names = meta.tags or tuple((tag_names or {}).get(tag_id, "") for tag_id in meta.tag_ids)
    flags.update(keywords(names))
    return tuple(sorted(flags))


def unread_of(meta: ItemMeta) -> bool:
    """Whether the message is unread: ``u`` in FlagStr, else the bitmask or ``unread`` count."""
    if meta.flag_str is not None:
        return UNREAD_LETTER in meta.flag_str
    return bool(meta.flags & UNREAD_BIT) or meta.unread > 0


def keyword_of(tag: str) -> str:
    """A tag name as an IMAP keyword: characters an atom cannot hold become ``_``."""
    return _NOT_ATOM.sub("_", tag)


def keywords(tags: Iterable[str]) -> set[str]:
    return {keyword_of(tag) for tag in tags if tag}


def mode_flags(unread: bool) -> tuple[str, ...]:
    r"""Flags of a message known only from its tar mode (``meta=0``): ``\Seen`` or nothing."""
    return () if unread else (SEEN,)


def _system_flags(meta: ItemMeta) -> set[str]:
    flags = {SEEN} if not unread_of(meta) else set()
    if meta.flag_str is not None:
        flags.update(_BY_LETTER[letter] for letter in meta.flag_str if letter in _BY_LETTER)
    else:
        flags.update(flag for bit, flag in _BY_BIT.items() if meta.flags & bit)
    return flags
