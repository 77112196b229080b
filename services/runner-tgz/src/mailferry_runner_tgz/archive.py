"""Read a Zimbra ``fmt=tgz`` export as a stream: messages out, everything else counted.

Pure over a binary file object: the archive is read once, front to back (tar stream mode, no
seeking), and only one message's bytes are held at a time. The rules follow Zimbra's own
importer (``ArchiveFormatter.saveCallback``, see FORMAT.md):
- each ``X.meta`` pairs with the next entry that is not a ``.meta``; a ``.meta`` followed by
  another ``.meta`` is an item without content (folders, tags, most contacts);
- the folder comes from the ``.meta`` ``Path``, never from the tar directory (``!N`` batches
  of 500 and sanitised names make that unreliable);
- a message whose ``.meta`` ``size`` differs from its entry, whose entry type differs from the
  ``.meta`` type, whose ``Ver`` is above 10, or which is followed by an ``.err`` entry (Zimbra
  padded a short blob with spaces) is refused and reported, never uploaded;
- archives without any ``.meta`` (``meta=0``) give messages from bare ``.eml`` entries: folder
  from the tar directory, unread from the tar mode, date from the tar mtime. With a ``.meta``
  the tar mode is ignored: Zimbra's exporter tests the unread bit against the flag *id* (-10)
  instead of its bitmask, so read messages with other flags come out 0444 too;
- a stream that ends early (interrupted download, ``EOFError``/``ReadError``) stops the read
  with what came before kept and ``Inventory.stopped`` saying so.

Every refused *message* is also handed to ``on_refused`` (when given) as a ``Refusal`` with its
bytes when the archive holds them, so the caller can quarantine it; other items' problems are
only listed in the inventory.
"""

import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from mailferry_runner_tgz.flags import meta_flags, mode_flags
from mailferry_runner_tgz.inventory import FolderInventory, Inventory, Problem
from mailferry_runner_tgz.items import (
    LEGACY_METADATA_VERSION,
    ItemMeta,
    ItemType,
    MetaError,
    parse_meta,
)
from mailferry_runner_tgz.messages import ArchiveMessage, archive_message, subject_of
from mailferry_runner_tgz.tarstream import BrokenStreamError, TarStream

META_SUFFIX = ".meta"
ERR_SUFFIX = ".err"
DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 * 1024
MAX_META_BYTES = 64 * 1024 * 1024
_IGNORED_PREFIX = "__MACOSX/"
_BATCH_SUFFIX = re.compile(r"!\d+$")
_OWNER_WRITE = 0o200
_BARE_TYPES = {
    "eml": ItemType.MESSAGE,
    "ics": ItemType.APPOINTMENT,
    "vcf": ItemType.CONTACT,
    "csv": ItemType.CONTACT,
    "wiki": ItemType.WIKI,
}
_BARE_DEFAULT_FOLDER = {
    ItemType.MESSAGE: "Inbox",
    ItemType.APPOINTMENT: "Calendar",
    ItemType.TASK: "Tasks",
    ItemType.CONTACT: "Contacts",
}


@dataclass(frozen=True)
class Refusal:
    """A message the reader refused: why, where it belonged, and its bytes if it had any.

    ``data`` is None when the archive held no content for it (a ``.meta`` alone) or the
    content was too large to hold; ``date`` is in seconds, 0 when unknown.
    """

    problem: Problem
    folder: tuple[str, ...]
    data: bytes | None
    subject: str = ""
    date: int = 0


OnRefused = Callable[[Refusal], None]


@dataclass(frozen=True)
class _Pending:
    entry: str
    meta: ItemMeta | None  # None: the .meta was refused, its content goes with it
    folder: FolderInventory | None
    refused: Problem | None = None  # a refused message .meta: its content is quarantined
    refused_meta: ItemMeta | None = None


_Held = tuple[ArchiveMessage, FolderInventory]


class ArchiveReader:
    """One pass over one archive; ``messages()`` yields, ``inventory`` counts as it goes."""

    def __init__(
        self,
        stream: BinaryIO,
        *,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        on_refused: OnRefused | None = None,
    ) -> None:
        self.inventory = Inventory()
        self._stream = stream
        self._max_message_bytes = max_message_bytes
        self._on_refused = on_refused
        self._pending: _Pending | None = None
        # A message waits for the next entry: an ``.err`` right after it means it is damaged.
        self._held: _Held | None = None

    def messages(self) -> Iterator[ArchiveMessage]:
        """The archive's importable messages, in archive order."""
        tar = self._open()
        if tar is None:
            return
        while True:
            try:
                member = tar.next()
                ready = self._finish() if member is None else self._take(tar, member)
            except BrokenStreamError as exc:
                ready, member = self._stop(exc.cause), None
            yield from ready
            if member is None:
                return

    def _open(self) -> TarStream | None:
        try:
            return TarStream(self._stream)
        except BrokenStreamError as exc:
            self.inventory.unreadable = f"not a readable TGZ archive ({_describe(exc.cause)})"
            return None

    def _take(self, tar: TarStream, member: tarfile.TarInfo) -> list[ArchiveMessage]:
        self.inventory.entries += 1
        name = member.name
        if not member.isfile() or name.startswith(_IGNORED_PREFIX):
            return []
        if name.endswith(ERR_SUFFIX):
            self._damaged(name)
            return []
        ready = self._release()
        if name.endswith(META_SUFFIX):
            self._close_pending()
            self._pending = self._read_meta(tar, member)
        else:
            self._held = self._content(tar, member)
        return ready

    def _finish(self) -> list[ArchiveMessage]:
        ready = self._release()
        self._close_pending()
        return ready

    def _stop(self, exc: BaseException) -> list[ArchiveMessage]:
        ready = self._release()
        pending, self._pending = self._pending, None
        if pending is not None and pending.refused is not None:
            self._quarantine(pending.refused, pending.folder, None, pending.refused_meta)
        self.inventory.stopped = (
            f"the archive ends early after {self.inventory.entries} entries "
            f"({_describe(exc)}); nothing after that point was read"
        )
        return ready

    def _release(self) -> list[ArchiveMessage]:
        held, self._held = self._held, None
        return [held[0]] if held else []

    def _damaged(self, name: str) -> None:
        held, self._held = self._held, None
        detail = "the server's blob was shorter than its recorded size; Zimbra padded it"
        if held is None:
            self.inventory.problems.append(Problem(name, "MISMATCHED_SIZE", detail))
            return
        message, folder = held
        problem = self.inventory.refuse(folder, message.ref, "MISMATCHED_SIZE", detail)
        if self._on_refused is not None:
            date = int(message.internal_date.timestamp()) if message.internal_date else 0
            subject = subject_of(message.raw)
            self._on_refused(Refusal(problem, folder.path, message.raw, subject, date))

    def _close_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if pending.refused is not None:
            self._quarantine(pending.refused, pending.folder, None, pending.refused_meta)
            return
        if pending.meta is None or pending.meta.type != ItemType.MESSAGE:
            return
        problem = self.inventory.refuse(
            pending.folder, pending.entry, "MISSING_BLOB", "a message .meta without its content"
        )
        self._quarantine(problem, pending.folder, None, pending.meta)

    def _quarantine(
        self,
        problem: Problem,
        folder: FolderInventory | None,
        data: bytes | None,
        meta: ItemMeta | None,
    ) -> None:
        if self._on_refused is None:
            return
        path = folder.path if folder is not None else ()
        subject = meta.name if meta is not None and meta.name else subject_of(data)
        date = meta.date if meta is not None else 0
        self._on_refused(Refusal(problem, path, data, subject, date))

    def _kept(self, tar: TarStream, member: tarfile.TarInfo) -> bytes | None:
        """A refused entry's bytes for the quarantine, when someone wants them and they fit."""
        if self._on_refused is None or member.size > self._max_message_bytes:
            return None
        return tar.read(member)

    def _read_meta(self, tar: TarStream, member: tarfile.TarInfo) -> _Pending:
        self.inventory.with_meta = True
        if member.size > MAX_META_BYTES:
            return self._refused_meta(member, None, "INVALID_FORMAT", "the .meta is too large")
        try:
            meta = parse_meta(tar.read(member))
        except MetaError as exc:
            return self._refused_meta(member, None, exc.code, exc.detail)
        if meta.version > LEGACY_METADATA_VERSION:
            detail = f"unsupported data version {meta.version}"
            return self._refused_meta(member, meta, "UNSUPPORTED_VERSION", detail)
        return _Pending(member.name, meta, self._count_meta(meta))

    def _refused_meta(
        self, member: tarfile.TarInfo, meta: ItemMeta | None, code: str, detail: str
    ) -> _Pending:
        # The .meta's own tar header carries the item type, so a refused message still counts.
        item_type = meta.type if meta else member.devmajor
        path = meta.folder if meta else _tar_folder(member.name)
        folder = self.inventory.count(path, item_type)
        if item_type != ItemType.MESSAGE:
            self.inventory.refuse(None, member.name, code, detail)
            return _Pending(member.name, None, folder)
        problem = self.inventory.refuse(folder, member.name, code, detail)
        return _Pending(member.name, None, folder, problem, meta)

    def _count_meta(self, meta: ItemMeta) -> FolderInventory | None:
        if meta.type == ItemType.FOLDER:
            folder = self.inventory.folder(meta.folder)
            folder.zimbra_id, folder.view = meta.item_id, meta.view
            return folder
        if meta.type == ItemType.TAG:
            self.inventory.tags[meta.item_id] = meta.name
            return None
        if meta.type in (ItemType.SEARCH_FOLDER, ItemType.MOUNTPOINT):
            return self.inventory.count(meta.folder[:-1], meta.type)
        if meta.type in (ItemType.CONVERSATION, ItemType.FLAG):
            return None
        return self.inventory.count(meta.folder, meta.type)

    def _content(self, tar: TarStream, member: tarfile.TarInfo) -> _Held | None:
        pending, self._pending = self._pending, None
        if pending is None:
            return self._unpaired(tar, member)
        if pending.refused is not None:
            data = self._kept(tar, member)
            self._quarantine(pending.refused, pending.folder, data, pending.refused_meta)
            return None
        meta = pending.meta
        if meta is None:
            return None
        if member.devmajor not in (0, meta.type):
            self._mismatched(tar, member, meta, pending.folder)
            return None
        if meta.type != ItemType.MESSAGE or pending.folder is None:
            return None
        return self._paired(tar, member, meta, pending.folder)

    def _unpaired(self, tar: TarStream, member: tarfile.TarInfo) -> _Held | None:
        if not self.inventory.with_meta:
            return self._bare(tar, member)
        self._orphan(tar, member, "MISSING_META", "a content entry without a .meta before it")
        return None

    def _mismatched(
        self,
        tar: TarStream,
        member: tarfile.TarInfo,
        meta: ItemMeta,
        folder: FolderInventory | None,
    ) -> None:
        detail = f"entry type {member.devmajor} after a .meta of type {meta.type}"
        if meta.type != ItemType.MESSAGE:
            self._orphan(tar, member, "MISMATCHED_META", detail)
            return
        problem = self.inventory.refuse(folder, member.name, "MISMATCHED_META", detail)
        self._quarantine(problem, folder, self._kept(tar, member), meta)

    def _orphan(self, tar: TarStream, member: tarfile.TarInfo, code: str, detail: str) -> None:
        # A message without a usable .meta is lost (as in Zimbra): count it so it shows missing.
        if member.devmajor != ItemType.MESSAGE:
            self.inventory.refuse(None, member.name, code, detail)
            return
        folder = self.inventory.count(_tar_folder(member.name), ItemType.MESSAGE)
        problem = self.inventory.refuse(folder, member.name, code, detail)
        self._quarantine(problem, folder, self._kept(tar, member), None)

    def _paired(
        self, tar: TarStream, member: tarfile.TarInfo, meta: ItemMeta, folder: FolderInventory
    ) -> _Held | None:
        refusal = self._refusal(member, meta)
        if refusal is not None:
            problem = self.inventory.refuse(folder, member.name, *refusal)
            self._quarantine(problem, folder, self._kept(tar, member), meta)
            return None
        raw = tar.read(member)
        folder.message_bytes += len(raw)
        flags = meta_flags(meta, self.inventory.tags)
        return archive_message(meta.folder, raw, flags, meta.date, member.name), folder

    def _refusal(self, member: tarfile.TarInfo, meta: ItemMeta) -> tuple[str, str] | None:
        if member.size != meta.size:
            return "MISMATCHED_SIZE", f".meta says {meta.size} bytes, the entry has {member.size}"
        if member.size > self._max_message_bytes:
            return "TOO_LARGE", f"{member.size} bytes, over {self._max_message_bytes}"
        return None

    def _bare(self, tar: TarStream, member: tarfile.TarInfo) -> _Held | None:
        path = _tar_folder(member.name)
        suffix = member.name.rpartition(".")[2].lower()
        item_type = _BARE_TYPES.get(suffix, ItemType.DOCUMENT)
        if item_type == ItemType.APPOINTMENT and path[:1] == ("Tasks",):
            item_type = ItemType.TASK
        if not path:
            path = (_BARE_DEFAULT_FOLDER.get(item_type, "Briefcase"),)
        folder = self.inventory.count(path, item_type)
        if item_type != ItemType.MESSAGE:
            return None
        if member.size > self._max_message_bytes:
            detail = f"{member.size} bytes, over {self._max_message_bytes}"
            problem = self.inventory.refuse(folder, member.name, "TOO_LARGE", detail)
            self._quarantine(problem, folder, None, None)
            return None
        raw = tar.read(member)
        folder.message_bytes += len(raw)
        unread = not member.mode & _OWNER_WRITE
        return archive_message(
            path, raw, mode_flags(unread), int(member.mtime), member.name
        ), folder


def read_messages(stream: BinaryIO) -> tuple[list[ArchiveMessage], Inventory]:
    """Read a whole (small) archive into memory; for tests and tools, not for mailboxes."""
    reader = ArchiveReader(stream)
    return list(reader.messages()), reader.inventory


def _tar_folder(name: str) -> tuple[str, ...]:
    directory = _BATCH_SUFFIX.sub("", name.rpartition("/")[0])
    return tuple(part for part in directory.split("/") if part)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
