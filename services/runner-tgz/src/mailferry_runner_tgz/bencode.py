"""Just enough of Zimbra's bencoded ``Metadata`` to read a folder's default view (pure).

Zimbra writes ``d<key><value>...e`` with ``i<n>e`` integers, ``<len>:<chars>`` strings, ``l...e``
lists and ``d...e`` dicts. Lengths count Java chars; for the BMP that equals Python characters,
and anything that does not parse is simply "unknown" to the caller.
"""

BValue = int | str | list["BValue"] | dict[str, "BValue"]


class BencodeError(ValueError):
    """The text is not well-formed bencode."""


def decode(text: str) -> BValue:
    """Decode one value that spans the whole text."""
    value, end = _value(text, 0)
    if end != len(text):
        raise BencodeError(f"trailing data at {end}")
    return value


def _value(text: str, at: int) -> tuple[BValue, int]:
    if at >= len(text):
        raise BencodeError("unexpected end")
    head = text[at]
    if head == "i":
        end = _find(text, "e", at)
        return _int(text[at + 1 : end]), end + 1
    if head == "l":
        return _list(text, at + 1)
    if head == "d":
        return _dict(text, at + 1)
    if head.isdigit():
        return _string(text, at)
    raise BencodeError(f"unexpected {head!r} at {at}")


def _list(text: str, at: int) -> tuple[BValue, int]:
    items: list[BValue] = []
    while text[at : at + 1] != "e":
        item, at = _value(text, at)
        items.append(item)
    return items, at + 1


def _dict(text: str, at: int) -> tuple[BValue, int]:
    items: dict[str, BValue] = {}
    while text[at : at + 1] != "e":
        key, at = _string(text, at)
        items[key], at = _value(text, at)
    return items, at + 1


def _string(text: str, at: int) -> tuple[str, int]:
    colon = _find(text, ":", at)
    length = _int(text[at:colon])
    end = colon + 1 + length
    if length < 0 or end > len(text):
        raise BencodeError(f"string at {at} runs past the end")
    return text[colon + 1 : end], end


def _find(text: str, char: str, at: int) -> int:
    found = text.find(char, at)
    if found < 0:
        raise BencodeError(f"missing {char!r} after {at}")
    return found


def _int(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:
        raise BencodeError(f"not an integer: {digits!r}") from None
