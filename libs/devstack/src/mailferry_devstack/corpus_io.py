"""Put a corpus into a mailbox, and read a mailbox back, independently of ``mailferry_imap``.

- ``write_maildir`` writes files straight into a Dovecot Maildir (``LAYOUT=fs:UTF-8``): fast,
  and real to Dovecot, which takes the flags from the file name, the keywords from
  ``dovecot-keywords`` and the internal date from the file's mtime.
- ``append_imap`` APPENDs over IMAP with the stdlib ``imaplib`` (any server, any namespace).
- ``read_mailbox`` lists every folder with ``imaplib`` and returns, per folder, each message's
  flags, internal date, size and Message-ID: what tests compare between source and destination.

Only the folder-name encoding (modified UTF-7) comes from ``mailferry_imap``.
"""

import imaplib
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from mailferry_devstack.corpus import FOLDERS, KEYWORDS, CorpusMessage, generate_new
from mailferry_imap.utf7 import decode_mutf7, encode_mutf7

_SYSTEM_LETTERS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S"}


@dataclass
class CorpusSummary:
    """What was written: messages and bytes per folder (logical names, ``/`` separated)."""

    messages: Counter[str] = field(default_factory=Counter)
    bytes: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, message: CorpusMessage) -> None:
        self.messages[message.folder] += 1
        self.bytes[message.folder] += len(message.raw)
        self.kinds[message.kind] += 1

    @property
    def total_messages(self) -> int:
        """Messages written."""
        return sum(self.messages.values())

    @property
    def total_bytes(self) -> int:
        """Bytes written (as generated, before any CRLF conversion)."""
        return sum(self.bytes.values())


def all_folders() -> list[str]:
    """Every folder of the corpus including the empty parents (``Entrées``, ``Lists``)."""
    names: list[str] = []
    for name, _ in FOLDERS:
        parts = name.split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            if path not in names:
                names.append(path)
    return names


def server_name(folder: str, prefix: str = "", separator: str = "/") -> str:
    """The UTF-8 name of a corpus folder on a server with this namespace prefix and separator.

    A separator character inside a name part (``debian.devel`` on a ``.`` server) becomes
    ``_``, as the folder could not be named otherwise.
    """
    if folder == "INBOX":
        return "INBOX"
    return prefix + separator.join(part.replace(separator, "_") for part in folder.split("/"))


def write_maildir(
    root: Path,
    messages: Iterable[CorpusMessage],
    owner: tuple[int, int] | None = None,
    separator: str = "/",
) -> CorpusSummary:
    """Write messages into a Maildir (``LAYOUT=fs:UTF-8``; INBOX in ``root/INBOX``).

    On disk, folders nest as directories whatever the namespace's ``separator``; a name part
    holding that separator gets ``_`` instead, as ``server_name`` says.
    """
    summary = CorpusSummary()
    dirs: dict[str, Path] = {}
    for index, message in enumerate(messages):
        if message.folder not in dirs:
            dirs[message.folder] = _make_folder(
                root, _storage_name(message.folder, separator), owner
            )
        _write_file(dirs[message.folder], index, message, owner)
        summary.add(message)
    for folder in all_folders():
        if folder not in dirs:
            _make_folder(root, _storage_name(folder, separator), owner)
    return summary


def _storage_name(folder: str, separator: str) -> str:
    return "/".join(part.replace(separator, "_") for part in folder.split("/"))


def _make_folder(root: Path, name: str, owner: tuple[int, int] | None) -> Path:
    folder_dir = root.joinpath(*name.split("/"))
    for sub in ("cur", "new", "tmp"):
        (folder_dir / sub).mkdir(parents=True, exist_ok=True)
    keywords = folder_dir / "dovecot-keywords"
    keywords.write_text("".join(f"{i} {name}\n" for i, name in enumerate(KEYWORDS)))
    if owner is not None:
        created = [root, *(root / part for part in folder_dir.relative_to(root).parents)]
        for path in [*created, folder_dir, *folder_dir.iterdir()]:
            os.chown(path, *owner)
    return folder_dir


def _write_file(folder_dir: Path, index: int, message: CorpusMessage, owner: object) -> None:
    stamp = int(message.internal_date.timestamp())
    size, vsize = len(message.raw), _virtual_size(message.raw)
    base = f"{stamp}.M{index}P{os.getpid()}.corpus,S={size},W={vsize}"
    path = folder_dir / "cur" / f"{base}:2,{_maildir_flags(message.flags)}"
    path.write_bytes(message.raw)
    os.utime(path, (stamp, stamp))
    if isinstance(owner, tuple):
        os.chown(path, *owner)


def _virtual_size(raw: bytes) -> int:
    """Size with every bare LF counted as CRLF, as IMAP clients see it (RFC822.SIZE)."""
    return len(raw) + raw.count(b"\n") - raw.count(b"\r\n")


def _maildir_flags(flags: tuple[str, ...]) -> str:
    letters = [_SYSTEM_LETTERS[flag] for flag in flags if flag in _SYSTEM_LETTERS]
    letters += [chr(ord("a") + KEYWORDS.index(flag)) for flag in flags if flag in KEYWORDS]
    return "".join(sorted(letters))


def append_imap(
    host: str,
    port: int,
    user: str,
    password: str,
    messages: Iterable[CorpusMessage],
    *,
    prefix: str = "",
    separator: str = "/",
) -> CorpusSummary:
    """APPEND messages (flags and internal date included), creating folders as needed."""
    summary = CorpusSummary()
    created: set[str] = set()
    with imaplib.IMAP4(host, port) as client:
        client.login(user, password)
        for message in messages:
            name = server_name(message.folder, prefix, separator)
            if name not in created:
                client.create(_quote(name))
                created.add(name)
            _append(client, name, message)
            summary.add(message)
        client.logout()
    return summary


def append_new(
    host: str, port: int, user: str, password: str, count: int, *, batch: int = 1
) -> CorpusSummary:
    """APPEND ``count`` new messages (``corpus.generate_new``) as mail arriving for a delta."""
    return append_imap(host, port, user, password, generate_new(count, batch=batch))


def _append(client: imaplib.IMAP4, name: str, message: CorpusMessage) -> None:
    flags = "(" + " ".join(message.flags) + ")"
    date = imaplib.Time2Internaldate(message.internal_date)
    status, data = client.append(_quote(name), flags, date, message.raw)
    if status != "OK":
        raise RuntimeError(f"APPEND to {name!r} failed: {data!r}")


def _quote(name: str) -> str:
    encoded = encode_mutf7(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class StoredMessage:
    """One message as a server shows it."""

    flags: frozenset[str]
    internal_date: datetime
    size: int
    message_id: str


@dataclass
class MailboxContent:
    """Every folder of a mailbox (UTF-8 names as the server lists them) and its messages."""

    separator: str
    folders: dict[str, list[StoredMessage]]

    def counts(self) -> dict[str, int]:
        """Messages per folder."""
        return {name: len(messages) for name, messages in self.folders.items()}


_LIST = re.compile(rb'^\((?P<flags>[^)]*)\) (?:"(?P<sep>[^"]*)"|NIL) (?P<name>.+)$')
_FETCH = re.compile(
    rb"FLAGS \((?P<flags>[^)]*)\) INTERNALDATE \"(?P<date>[^\"]+)\" RFC822\.SIZE (?P<size>\d+)"
)


def read_mailbox(host: str, port: int, user: str, password: str) -> MailboxContent:
    r"""Read every selectable folder: flags (without ``\Recent``), dates, sizes, Message-IDs."""
    with imaplib.IMAP4(host, port) as client:
        client.login(user, password)
        separator, names = _list(client)
        folders = {decode_mutf7(name): _read_folder(client, name) for name in names}
        client.logout()
    return MailboxContent(separator=separator, folders=folders)


def _list(client: imaplib.IMAP4) -> tuple[str, list[str]]:
    _, lines = client.list()
    separator, names = "/", []
    for line in lines:
        if not isinstance(line, bytes) or not (match := _LIST.match(line)):
            continue
        separator = (match.group("sep") or b"/").decode()
        if b"\\Noselect" not in match.group("flags"):
            names.append(match.group("name").decode().strip('"'))
    return separator, names


def _read_folder(client: imaplib.IMAP4, name: str) -> list[StoredMessage]:
    status, data = client.select(_quote_raw(name), readonly=True)
    if status != "OK" or data[0] in (b"0", None):
        return []
    _, fetched = client.fetch(
        "1:*", "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
    )
    out: list[StoredMessage] = []
    for item in fetched:
        if isinstance(item, tuple):
            out.append(_stored(item[0], item[1]))
    return out


def _stored(meta: bytes, header: bytes) -> StoredMessage:
    match = _FETCH.search(meta)
    if match is None:
        raise ValueError(f"unexpected FETCH response {meta[:200]!r}")
    flags = frozenset(match.group("flags").decode().split()) - {"\\Recent"}
    date = parsedate_to_datetime(_to_rfc2822(match.group("date").decode())).astimezone(UTC)
    message_id = header.decode(errors="replace").partition(":")[2].strip()
    return StoredMessage(flags, date, int(match.group("size")), message_id)


def _to_rfc2822(internal: str) -> str:
    day_month_year, clock, zone = internal.strip().split(" ")
    day, month, year = day_month_year.split("-")
    return f"{day} {month} {year} {clock} {zone}"


def _quote_raw(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
