"""Message identity that survives reruns (pure).

A message's key is a BLAKE2b-128 digest of four header fields, normalised:

- ``Message-ID`` (whitespace trimmed),
- ``Date`` (as UTC seconds when it parses, else the normalised text),
- ``From`` and ``Subject`` (RFC 2047 words decoded, runs of whitespace collapsed),

and, **only when there is no Message-ID**, a digest of the body text with every CR removed.

Why these and nothing else: a destination renumbers UIDs, may set its own INTERNALDATE, adds
headers (Received, X-MS-Exchange-...), may re-encode header words and line ends, and stores
flags as it likes; none of that moves the key. Message-ID alone is not enough: lists, bounces
and resent copies reuse it with other content, hence Date/From/Subject. Without a Message-ID,
the body decides (Drafts and Sent copies often lack one); imapsync skips such messages unless
told to add a header, changing the copy. We copy them unchanged.

Identical duplicates in one folder have equal keys. Comparing each destination folder with its
sources as *multisets* of keys copies the second copy when the destination has only one.
"""

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime

IDENTITY_FIELDS = ("MESSAGE-ID", "DATE", "FROM", "SUBJECT")
FETCH_HEADERS = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)]"
"""The FETCH item that returns what the key needs."""

_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_HEADER_END = re.compile(rb"(?:^|\n)\r?\n")


@dataclass(frozen=True, slots=True)
class HeaderIdentity:
    """The header part of a key; ``complete`` is False until the body was digested."""

    digest: bytes
    has_message_id: bool

    @property
    def complete(self) -> bool:
        """Whether this is already the whole key (the message has a Message-ID)."""
        return self.has_message_id


def header_identity(header_block: bytes) -> HeaderIdentity:
    """The identity of a message from its header block (or the HEADER.FIELDS answer)."""
    fields = header_fields(header_block, IDENTITY_FIELDS)
    message_id = _normalise(fields.get("MESSAGE-ID", b""))
    material = [
        message_id,
        _normalise_date(fields.get("DATE", b"")),
        _normalise_words(fields.get("FROM", b"")),
        _normalise_words(fields.get("SUBJECT", b"")),
    ]
    digest = hashlib.blake2b(b"\x00".join(_utf8(m) for m in material), digest_size=16)
    return HeaderIdentity(digest.digest(), bool(message_id))


def identity_key(header: HeaderIdentity, body_digest: bytes | None) -> bytes:
    """The full key: the header digest, or (no Message-ID) header and body digests."""
    if header.has_message_id:
        return header.digest
    if body_digest is None:
        raise ValueError("a message without Message-ID needs its body digest")
    return hashlib.blake2b(header.digest + body_digest, digest_size=16).digest()


class BodyDigest:
    """Digest of a body text fed in chunks; CRs are dropped so CRLF and LF agree."""

    def __init__(self) -> None:
        self._hash = hashlib.blake2b(digest_size=16)

    def update(self, chunk: bytes) -> None:
        self._hash.update(chunk.replace(b"\r", b""))

    def digest(self) -> bytes:
        return self._hash.digest()


HEADER_LIMIT = 1024 * 1024
"""A header block longer than this is cut there for identity purposes."""


class IdentityBuilder:
    """The key of a whole message fed in chunks (a local file, or a body being copied).

    Keeps only the header block (at most ``HEADER_LIMIT``) and a running body digest.
    """

    def __init__(self) -> None:
        self._head = bytearray()
        self._identity: HeaderIdentity | None = None
        self._digest = BodyDigest()

    @property
    def complete(self) -> bool:
        """Whether more chunks cannot change the key (a Message-ID was found)."""
        return self._identity is not None and self._identity.complete

    def feed(self, chunk: bytes) -> None:
        if self._identity is not None:
            if not self._identity.complete:
                self._digest.update(chunk)
            return
        self._head += chunk
        start = split_header(bytes(self._head))
        if start is None and len(self._head) < HEADER_LIMIT:
            return
        self._identity = header_identity(bytes(self._head[: start or HEADER_LIMIT]))
        if not self._identity.complete:
            self._digest.update(bytes(self._head[start or len(self._head) :]))
        self._head = bytearray()

    def result(self) -> tuple[bytes, bool]:
        """The key and whether the message has a Message-ID."""
        identity = self._identity or header_identity(bytes(self._head))
        if identity.complete:
            return identity.digest, True
        return identity_key(identity, self._digest.digest()), False


def body_digest(chunks: Iterable[bytes]) -> bytes:
    """``BodyDigest`` over all chunks at once."""
    digest = BodyDigest()
    for chunk in chunks:
        digest.update(chunk)
    return digest.digest()


def header_fields(block: bytes, names: Iterable[str]) -> dict[str, bytes]:
    """First occurrence of each wanted field (upper-case name -> unfolded raw value).

    One regular-expression pass over the block: only the wanted fields are unfolded, so a
    long header (Received chains, DKIM) costs little.
    """
    found: dict[str, bytes] = {}
    for match in _field_pattern(tuple(sorted(names))).finditer(block):
        key = match.group(1).decode("ascii").upper()
        if key not in found:
            found[key] = _FOLD.sub(b"", match.group(2)).strip()
    return found


@functools.lru_cache(maxsize=8)
def _field_pattern(names: tuple[str, ...]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(name.encode("ascii")) for name in names)
    return re.compile(
        rb"^(" + alternatives + rb")[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)", re.IGNORECASE | re.MULTILINE
    )


def split_header(data: bytes) -> int | None:
    """Offset where the body starts (after the blank line), or None if not seen yet."""
    match = _HEADER_END.search(data)
    return match.end() if match else None


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _normalise(value: bytes) -> str:
    return " ".join(value.decode("utf-8", "surrogateescape").split())


def _normalise_words(value: bytes) -> str:
    text = _normalise(value)
    if "=?" not in text:
        return text
    try:
        return " ".join(str(make_header(decode_header(text))).split())
    except (ValueError, LookupError, UnicodeError):
        return text


def _normalise_date(value: bytes) -> str:
    text = _normalise(value)
    try:
        return str(int(parsedate_to_datetime(text).timestamp()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return text
