"""A deterministic mail corpus: the same seed gives the same bytes, flags and dates.

It has what real mailboxes have and copy tools get wrong: 16 folders (nested and non-ASCII
names, Sent/Trash/Junk/Drafts and a second, Russian "Sent"), system flags and keywords,
internal dates over ten years, attachments, messages without Message-ID, identical duplicates
in one folder, malformed messages (a header line without colon, no header/body separator,
raw 8-bit headers, bare LF line ends) and, on request, one huge message.

``generate`` yields messages; ``mailferry_devstack.corpus_writers`` puts them in a Maildir or
APPENDs them over IMAP. A message whose ``kind`` is ``dup`` is yielded twice in a row, the second
time as the very same object.
"""

import base64
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

FOLDERS: tuple[tuple[str, int], ...] = (
    ("INBOX", 30),
    ("Sent", 8),
    ("Drafts", 2),
    ("Trash", 5),
    ("Junk", 4),
    ("Отправленные", 4),
    ("Archive", 3),
    ("Archive/2022", 4),
    ("Archive/2023", 4),
    ("Archive/2024", 5),
    ("Entrées/Été", 4),
    ("Factures & Reçus", 3),
    ("Lists/debian.devel", 6),
    ("Projects", 2),
    ("Projects/Alpha", 3),
    ("Projects/Alpha/Specs", 3),
)
"""The 16 folders holding mail and their share of it ("Entrées" and "Lists" exist empty)."""

KEYWORDS: tuple[str, ...] = ("$Forwarded", "$Junk", "Project-X", "$label1")
"""Keywords in use, in a fixed order (Maildir stores them as letters a, b, c, d)."""

SPECIAL_KINDS = (
    "nomsgid",
    "malformed-no-colon-header",
    "malformed-no-header-body-separator",
    "malformed-raw-8bit-headers",
    "malformed-bare-lf",
)
_WORDS = (
    "migration",
    "mailbox",
    "server",
    "folder",
    "message",
    "cutover",
    "delta",
    "quota",
    "verify",
    "archive",
    "project",
    "invoice",
    "meeting",
    "report",
    "budget",
    "schedule",
    "review",
    "draft",
    "release",
    "customer",
    "contract",
    "support",
    "network",
    "backup",
    "policy",
    "update",
    "planning",
    "agenda",
    "minutes",
    "travel",
    "expense",
    "offer",
)
_PEOPLE = (
    ("Alice Martin", "alice@example.org"),
    ("Bob Müller", "bob@example.de"),
    ("Chloé Dubois", "chloe@example.fr"),
    ("Дмитрий Иванов", "dmitry@example.ru"),
    ("Eve Santos", "eve@example.com.br"),
)
_ZONES = (0, 120, -300, 330, 60)
_MIN_SPECIALS = 10
_ATTACHMENT_SHARE = 0.3
_JUNK_SEEN = 0.5


@dataclass(frozen=True)
class CorpusSpec:
    """How much mail: message count, approximate total bytes, an optional huge message."""

    messages: int
    total_bytes: int
    huge_bytes: int = 0
    seed: int = 20240601


SMALL = CorpusSpec(messages=300, total_bytes=17_000_000)
"""Like the corpus of the imapsync fixtures: 300 messages, about 17 MB."""

BENCH = CorpusSpec(messages=3000, total_bytes=150_000_000)
"""The benchmark corpus: 3,000 messages, about 150 MB."""


@dataclass(frozen=True)
class CorpusMessage:
    """One message and where it goes."""

    folder: str
    raw: bytes
    flags: tuple[str, ...]
    internal_date: datetime
    kind: str


def generate(spec: CorpusSpec) -> Iterator[CorpusMessage]:
    """Every message of the corpus, folder by folder."""
    rng = random.Random(spec.seed)
    counts = _split(spec.messages, [weight for _, weight in FOLDERS])
    kinds = _kinds(rng, spec.messages)
    attachment_sizes = _attachment_plan(rng, spec)
    position = 0
    for (folder, _), count in zip(FOLDERS, counts, strict=True):
        previous: CorpusMessage | None = None
        for _ in range(count):
            kind = kinds[position]
            if kind == "twin" and previous is not None and previous.kind == "dup":
                message = previous
            else:
                kind = "normal" if kind == "twin" else kind
                size = attachment_sizes[position]
                message = _message(rng, spec.seed, position, folder, kind, size)
            position += 1
            previous = message
            yield message
    if spec.huge_bytes:
        yield _message(rng, spec.seed, position, "INBOX", "huge", spec.huge_bytes * 3 // 4)


def generate_new(count: int, batch: int = 1, seed: int = 777) -> list[CorpusMessage]:
    """``count`` new messages for a delta.

    Mostly normal ones, plus (when ``count`` is at least 10) an identical duplicate pair in
    INBOX, one message without Message-ID and three malformed ones.
    """
    rng = random.Random(seed * 1000 + batch)
    specials = ["dup", "nomsgid", *SPECIAL_KINDS[1:4]] if count >= _MIN_SPECIALS else []
    kinds = specials + ["normal"] * (count - len(specials) - (1 if specials else 0))
    folders = [name for name, _ in FOLDERS]
    out: list[CorpusMessage] = []
    for index, kind in enumerate(kinds):
        folder = "INBOX" if kind == "dup" else rng.choice(folders)
        message = _message(rng, seed + batch, 10_000_000 * batch + index, folder, kind, 0)
        out.append(message)
        if kind == "dup":
            out.append(message)
    return out


def _split(total: int, weights: list[int]) -> list[int]:
    raw = [total * weight / sum(weights) for weight in weights]
    counts = [int(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _kinds(rng: random.Random, total: int) -> list[str]:
    """One kind per message slot; a ``dup`` is followed by its identical ``twin``."""
    scale = max(1, total // 300)
    units = [["nomsgid"]] * 4 * scale + [["dup", "twin"]] * 3 * scale
    for kind in SPECIAL_KINDS[1:]:
        units += [[kind]] * 2 * scale
    units += [["normal"]] * (total - sum(len(unit) for unit in units))
    rng.shuffle(units)
    return [kind for unit in units for kind in unit]


def _attachment_plan(rng: random.Random, spec: CorpusSpec) -> list[int]:
    """Attachment size per message (0 = none), scaled so the corpus reaches its total size."""
    text_bytes = 4_500 * spec.messages
    budget = max(spec.total_bytes - text_bytes, 0) * 3 // 4
    has = [rng.random() < _ATTACHMENT_SHARE for _ in range(spec.messages)]
    shares = [min(rng.expovariate(1.0), 8.0) if flag else 0.0 for flag in has]
    scale = budget / (sum(shares) or 1.0)
    return [min(int(share * scale), 1_500_000) for share in shares]


def _message(
    rng: random.Random, seed: int, index: int, folder: str, kind: str, attachment: int
) -> CorpusMessage:
    date = _internal_date(rng, folder)
    sender, recipient = rng.sample(_PEOPLE, 2)
    subject = f"{rng.choice(_WORDS).capitalize()} {rng.choice(_WORDS)} #{index}"
    headers = [
        f"From: {sender[0]} <{sender[1]}>",
        f"To: {recipient[0]} <{recipient[1]}>",
        f"Subject: {subject}",
        f"Date: {_date_header(rng, date)}",
    ]
    if kind != "nomsgid":
        headers.append(f"Message-ID: <{seed}.{index}.{rng.getrandbits(48):012x}@corpus.test>")
    body = _text(rng, rng.randint(8, 60))
    raw = _assemble(rng, headers, body, attachment, kind)
    return CorpusMessage(folder, raw, _flags(rng, folder), date, kind)


def _assemble(
    rng: random.Random, headers: list[str], body: str, attachment: int, kind: str
) -> bytes:
    if kind == "malformed-no-colon-header":
        headers.insert(2, "This header line has no colon at all")
    head = "\r\n".join([*headers, "MIME-Version: 1.0"]).encode()
    if kind == "malformed-raw-8bit-headers":
        head += "\r\nX-Comment: café crème, 8-bit and unencoded".encode()
        head += b"\r\nX-Latin1: \xe9t\xe9 \xe0 Z\xfcrich"
    if attachment:
        head += b"\r\n" + _multipart(rng, body, attachment)
    else:
        head += b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body.encode()
    if kind == "malformed-no-header-body-separator":
        head = head.replace(b"\r\n\r\n", b"\r\n", 1)
    if kind == "malformed-bare-lf":
        head = head.replace(b"\r\n", b"\n")
    return head


def _multipart(rng: random.Random, body: str, size: int) -> bytes:
    boundary = f"=_mf_{rng.getrandbits(64):016x}"
    payload = base64.encodebytes(rng.randbytes(size)).replace(b"\n", b"\r\n")
    name = rng.choice(["report.pdf", "photo.jpg", "données.xlsx", "archive.zip"])
    return b"".join(
        [
            f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode(),
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".encode(),
            body.encode(),
            f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n".encode(),
            b"Content-Transfer-Encoding: base64\r\n",
            f"Content-Disposition: attachment; filename*=utf-8''{_pct(name)}\r\n\r\n".encode(),
            payload,
            f"--{boundary}--\r\n".encode(),
        ]
    )


def _pct(name: str) -> str:
    return "".join(c if (c.isascii() and c.isalnum()) or c in ".-" else _hex(c) for c in name)


def _hex(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode())


def _text(rng: random.Random, lines: int) -> str:
    return "".join(" ".join(rng.choices(_WORDS, k=12)) + "\r\n" for _ in range(lines))


def _internal_date(rng: random.Random, folder: str) -> datetime:
    year = int(folder[-4:]) if folder[-4:].isdigit() else rng.randint(2015, 2025)
    start = datetime(year, 1, 1, tzinfo=UTC)
    return start + timedelta(seconds=rng.randrange(365 * 24 * 3600))


def _date_header(rng: random.Random, internal: datetime) -> str:
    zone = timezone(timedelta(minutes=rng.choice(_ZONES)))
    sent = internal - timedelta(seconds=rng.randrange(3600))
    return format_datetime(sent.astimezone(zone))


def _flags(rng: random.Random, folder: str) -> tuple[str, ...]:
    if folder == "Drafts":
        return ("\\Draft",)
    if folder in ("Sent", "Отправленные", "Trash"):
        return ("\\Seen",)
    if folder == "Junk":
        return ("$Junk",) + (("\\Seen",) if rng.random() < _JUNK_SEEN else ())
    chances = (
        ("\\Seen", 0.7),
        ("\\Flagged", 0.1),
        ("\\Answered", 0.15),
        ("$Forwarded", 0.1),
        ("Project-X", 0.05),
        ("$label1", 0.03),
    )
    return tuple(flag for flag, chance in chances if rng.random() < chance)
