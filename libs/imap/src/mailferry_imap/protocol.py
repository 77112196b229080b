"""IMAP4rev1 wire format: the response tokenizer and the encoding of command arguments.

A response arrives as text parts separated by literals: ``parts[i]`` is followed by
``literals[i]``. The tokenizer turns that into nested Python values:

- an atom is a ``str`` (UTF-8 with surrogate escapes, so any byte round-trips), ``NIL`` is
  ``None``, and a section such as ``BODY[HEADER.FIELDS (DATE)]<0>`` stays one atom;
- a quoted string or a literal is ``bytes`` (a streamed literal is whatever object the reader
  put in its place);
- a parenthesised list is a ``list``.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

Token = object
"""str (atom), bytes (string), None (NIL), list (parenthesised), or a streamed literal."""

_TOKEN = re.compile(
    rb"""[ ]*(?:
        (?P<open>\()
      | (?P<close>\))
      | "(?P<quoted>(?:[^"\\]|\\.)*)"
      | (?P<atom>[^ ()"\[\]]+(?:\[[^\]]*\][^ ()]*)?|\[[^\]]*\][^ ()]*)
    )""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(rb"\\(.)", re.DOTALL)
_STATUS = re.compile(rb"^(?P<status>OK|NO|BAD|BYE|PREAUTH)(?: (?P<rest>.*))?$", re.I | re.S)
_CODE = re.compile(rb"^\[(?P<code>[^\] ]+)(?: (?P<args>[^\]]*))?\] ?(?P<text>.*)$", re.S)
LITERAL_END = re.compile(rb"~?\{(\d+)\}\r?\n$")
"""A server line that announces a literal of N bytes (``~`` for BINARY)."""


class ParseError(ValueError):
    """A response that is not valid IMAP."""


def tokenize(parts: Sequence[bytes], literals: Sequence[object] = ()) -> list[Token]:
    """Tokens of a response body (the text after the tag or ``*``)."""
    stack: list[list[Token]] = [[]]
    for index, part in enumerate(parts):
        _tokenize_part(part, stack)
        if index < len(literals):
            stack[-1].append(literals[index])
    if len(stack) != 1:
        raise ParseError(f"unbalanced parentheses in response {_preview(parts)}")
    return stack[0]


def _tokenize_part(part: bytes, stack: list[list[Token]]) -> None:
    position, end = 0, len(part)
    while position < end:
        match = _TOKEN.match(part, position)
        if match is None:
            if not part[position:].strip():
                return
            raise ParseError(f"unexpected {part[position : position + 40]!r} in response")
        position = match.end()
        _push(match, stack, part)


def _push(match: re.Match[bytes], stack: list[list[Token]], part: bytes) -> None:
    if match.group("open") is not None:
        child: list[Token] = []
        stack[-1].append(child)
        stack.append(child)
    elif match.group("close") is not None:
        if len(stack) == 1:
            raise ParseError(f"unbalanced ')' in response {part[:80]!r}")
        stack.pop()
    elif (quoted := match.group("quoted")) is not None:
        stack[-1].append(_ESCAPE.sub(rb"\1", quoted) if b"\\" in quoted else quoted)
    else:
        atom = match.group("atom")
        stack[-1].append(
            None if atom in (b"NIL", b"nil") else atom.decode("utf-8", "surrogateescape")
        )


def _preview(parts: Sequence[bytes]) -> str:
    return repr(b"".join(parts)[:120])


@dataclass(frozen=True, slots=True)
class StatusText:
    """The ``OK/NO/BAD/BYE/PREAUTH [CODE args] text`` of a status response."""

    status: str
    code: str | None
    code_args: str
    text: str


def parse_status(line: bytes) -> StatusText:
    """Parse the part of a status response after the tag (or ``*``)."""
    match = _STATUS.match(line.strip())
    if match is None:
        raise ParseError(f"not a status response: {line[:120]!r}")
    rest = match.group("rest") or b""
    code, args, text = None, "", rest
    if (coded := _CODE.match(rest)) is not None:
        code = coded.group("code").decode("ascii", "replace").upper()
        args = (coded.group("args") or b"").decode("utf-8", "replace")
        text = coded.group("text")
    return StatusText(
        match.group("status").decode().upper(), code, args, text.decode("utf-8", "replace")
    )


def as_int(token: Token, what: str) -> int:
    """A number atom as ``int``; ``ParseError`` names ``what`` otherwise."""
    if isinstance(token, str) and token.isdigit():
        return int(token)
    raise ParseError(f"expected a number for {what}, got {token!r}")


def as_text(token: Token) -> str:
    """An atom or string as text (NIL becomes the empty string)."""
    if token is None:
        return ""
    if isinstance(token, bytes):
        return token.decode("utf-8", "surrogateescape")
    if isinstance(token, str):
        return token
    raise ParseError(f"expected a string, got {token!r}")


def pairs(items: Sequence[Token]) -> dict[str, Token]:
    """``(KEY value KEY value ...)`` as a dict with upper-case keys."""
    return {as_text(items[i]).upper(): items[i + 1] for i in range(0, len(items) - 1, 2)}


# ---------------------------------------------------------------- arguments

_ATOM_SAFE = re.compile(r"^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~]+$")
_NEEDS_LITERAL = re.compile(r"[\r\n\x00\x80-\U0010ffff]")


def needs_literal(value: str) -> bool:
    """Whether a string cannot be sent quoted (CR, LF, NUL or 8-bit characters)."""
    return _NEEDS_LITERAL.search(value) is not None


def quote(value: str) -> bytes:
    """An atom when safe, else a quoted string (callers send literals for 8-bit text)."""
    if value and _ATOM_SAFE.match(value) and value.upper() != "NIL":
        return value.encode("ascii")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return b'"' + escaped.encode("utf-8", "surrogateescape") + b'"'


def sequence_set(numbers: Iterable[int]) -> bytes:
    """``1:3,7,9:10`` from numbers in any order."""
    ordered = sorted(set(numbers))
    if not ordered:
        raise ValueError("empty sequence set")
    ranges: list[str] = []
    start = previous = ordered[0]
    for number in ordered[1:]:
        if number != previous + 1:
            ranges.append(_range(start, previous))
            start = number
        previous = number
    ranges.append(_range(start, previous))
    return ",".join(ranges).encode("ascii")


def _range(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}:{end}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_INTERNALDATE = re.compile(
    r"^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$"
)


def format_internal_date(value: datetime) -> bytes:
    """``"17-Jul-1996 02:44:25 -0700"`` (quoted) from an aware datetime."""
    if value.tzinfo is None:
        raise ValueError("internal dates must be timezone-aware")
    offset = value.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    month = _MONTHS[value.month - 1]
    text = f"{value.day:02d}-{month}-{value.year:04d} {value:%H:%M:%S} {zone}"
    return b'"' + text.encode("ascii") + b'"'


def parse_internal_date(text: str) -> datetime:
    """Parse an INTERNALDATE (``17-Jul-1996 02:44:25 -0700``) into an aware datetime."""
    match = _INTERNALDATE.match(text)
    if match is None:
        raise ParseError(f"bad INTERNALDATE {text!r}")
    day, month, year, hour, minute, second, sign, zh, zm = match.groups()
    try:
        month_number = _MONTHS.index(month.capitalize()) + 1
    except ValueError:
        raise ParseError(f"bad month in INTERNALDATE {text!r}") from None
    offset = timedelta(hours=int(zh), minutes=int(zm)) * (-1 if sign == "-" else 1)
    local = datetime(
        int(year),
        month_number,
        int(day),
        int(hour),
        int(minute),
        int(second),
        tzinfo=timezone(offset),
    )
    return local.astimezone(UTC) if offset == timedelta(0) else local
