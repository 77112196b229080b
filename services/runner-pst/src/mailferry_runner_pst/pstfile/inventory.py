"""Walk a PST's folder tree from the store's top folder and count every folder's items.

Each number is taken from more than one place where the file keeps it (the folder's own
properties, its row in the parent's hierarchy table, the rows of its contents table) and the
largest wins: damage can hide items, never invent them, so the maximum is the safe expectation.
A folder whose numbers cannot be read at all is reported with ``total=None``.
"""

import struct
from collections import Counter
from dataclasses import dataclass

from mailferry_runner_pst.counts import FolderCount, ItemKind, StoreCount, classify
from mailferry_runner_pst.pstfile.ltp import (
    Heap,
    PropValue,
    TableRows,
    property_context,
    table_rows,
)
from mailferry_runner_pst.pstfile.ndb import DAMAGE_ERRORS, Ndb, PstDamageError, PstFormat

NID_MESSAGE_STORE = 0x21
# readpst's own assumption when the store names no top folder (OST files): descriptor 0x2142.
NID_TOP_WITHOUT_ENTRYID = 0x2142
_NID_TYPE_MASK = 0x1F
_NID_TYPE_NORMAL_FOLDER = 0x02
_NID_TYPE_HIERARCHY_TABLE = 0x0D
_NID_TYPE_CONTENTS_TABLE = 0x0E

PR_MESSAGE_CLASS = 0x001A
PR_DISPLAY_NAME = 0x3001
PR_IPM_SUBTREE_ENTRYID = 0x35E0
PR_CONTENT_COUNT = 0x3602
PR_SUBFOLDERS = 0x360A
PR_CONTAINER_CLASS = 0x3613
PR_PST_PASSWORD = 0x67FF
_FOLDER_ROW = frozenset({PR_DISPLAY_NAME, PR_CONTENT_COUNT, PR_SUBFOLDERS, PR_CONTAINER_CLASS})
_CONTENT_ROW = frozenset({PR_MESSAGE_CLASS})
_MAX_DEPTH = 64
_NO_PASSWORD = 0xFFFFFFFF


@dataclass(frozen=True)
class _Store:
    display_name: str | None
    password_protected: bool
    top_nid: int
    problems: tuple[str, ...]


class _Node:
    """A node's heap plus access to its subnodes, loaded lazily."""

    def __init__(self, ndb: Ndb, nid: int) -> None:
        entry = ndb.node(nid)
        self._ndb = ndb
        self._bid_sub = entry.bid_sub
        self.heap = Heap(ndb.data_blocks(entry.bid_data))

    def subnode_blocks(self, nid: int) -> list[bytes]:
        sub = self._ndb.subnodes(self._bid_sub).get(nid)
        if sub is None:
            raise PstDamageError(f"subnode {nid:#x} is missing")
        return self._ndb.data_blocks(sub.bid_data)

    def subnode_data(self, nid: int) -> bytes:
        return b"".join(self.subnode_blocks(nid))

    def properties(self) -> dict[int, PropValue]:
        return property_context(self.heap, self.subnode_data)

    def rows(self, wanted: frozenset[int]) -> TableRows:
        return table_rows(self.heap, self.subnode_data, wanted, self.subnode_blocks)


def take_inventory(ndb: Ndb) -> StoreCount:
    """Count the items of every folder below the store's top folder (IPM subtree)."""
    store = _read_store(ndb)
    walker = _Walker(ndb)
    walker.walk(store.top_nid, (), None)
    fmt = ndb.header.layout.fmt
    return StoreCount(
        display_name=store.display_name,
        is_ost=ndb.header.is_ost,
        file_format="ansi" if fmt is PstFormat.ANSI else "unicode",
        password_protected=store.password_protected,
        folders=tuple(walker.folders),
        problems=store.problems + tuple(walker.problems) + _index_damage(ndb),
    )


def _index_damage(ndb: Ndb) -> tuple[str, ...]:
    return tuple(
        f"index damaged ({damage}); {len(keys)} entries recovered from older index pages"
        for damage, keys in sorted(ndb.recovered.items())
    )


def _read_store(ndb: Ndb) -> _Store:
    try:
        props = _Node(ndb, NID_MESSAGE_STORE).properties()
    except DAMAGE_ERRORS as exc:
        return _Store(None, False, NID_TOP_WITHOUT_ENTRYID, (f"message store unreadable: {exc}",))
    name = props.get(PR_DISPLAY_NAME)
    entry_id = props.get(PR_IPM_SUBTREE_ENTRYID)
    top = NID_TOP_WITHOUT_ENTRYID
    if entry_id is not None and len(entry_id.raw) >= 24:  # noqa: PLR2004
        top = int(struct.unpack_from("<I", entry_id.raw, 20)[0])
    password = props.get(PR_PST_PASSWORD)
    return _Store(
        display_name=name.as_str() if name is not None and name.as_str() else None,
        # OSTs hold 0xFFFFFFFF here; only a PST's non-zero value is a password's CRC.
        password_protected=password is not None and password.as_int() not in (0, _NO_PASSWORD),
        top_nid=top,
        problems=(),
    )


def _table_nid(folder_nid: int, table_type: int) -> int:
    return (folder_nid & ~_NID_TYPE_MASK) | table_type


class _Walker:
    def __init__(self, ndb: Ndb) -> None:
        self._ndb = ndb
        self._seen: set[int] = set()
        self.folders: list[FolderCount] = []
        self.problems: list[str] = []

    def walk(self, nid: int, parent: tuple[str, ...], row: dict[int, PropValue] | None) -> None:
        """Count ``nid`` (``row``: its cells in the parent's hierarchy; None for the top)."""
        if nid in self._seen or len(parent) >= _MAX_DEPTH:
            return
        self._seen.add(nid)
        problems: list[str] = []
        props = self._folder_props(nid, problems)
        path = parent if row is None else (*parent, _folder_name(nid, row, props))
        sources = (row or {}, props)
        self.folders.append(self._count(nid, path, sources, problems))
        for child, child_row in self._children(nid, path, {**(row or {}), **props}):
            self.walk(child, path, child_row)

    def _folder_props(self, nid: int, problems: list[str]) -> dict[int, PropValue]:
        try:
            return _Node(self._ndb, nid).properties()
        except DAMAGE_ERRORS as exc:
            problems.append(f"folder properties unreadable: {exc}")
            return {}

    def _count(
        self,
        nid: int,
        path: tuple[str, ...],
        sources: tuple[dict[int, PropValue], ...],
        problems: list[str],
    ) -> FolderCount:
        kinds: Counter[ItemKind] = Counter()
        candidates = [p[PR_CONTENT_COUNT].as_int() for p in sources if PR_CONTENT_COUNT in p]
        try:
            rows = _Node(self._ndb, _table_nid(nid, _NID_TYPE_CONTENTS_TABLE)).rows(_CONTENT_ROW)
        except DAMAGE_ERRORS as exc:
            problems.append(f"contents table unreadable: {exc}")
        else:
            candidates.append(len(rows.row_ids))
            for cells in rows.cells:
                value = cells.get(PR_MESSAGE_CLASS)
                kinds[classify(value.as_str() if value is not None else None)] += 1
        total = max(candidates) if candidates else None
        if total is not None and total > sum(kinds.values()):
            kinds[ItemKind.UNKNOWN] += total - sum(kinds.values())
        container = sources[-1].get(PR_CONTAINER_CLASS) or sources[0].get(PR_CONTAINER_CLASS)
        return FolderCount(
            path=path,
            total=total,
            kinds=dict(kinds),
            container_class=container.as_str() if container is not None else "",
            problems=tuple(problems),
        )

    def _children(
        self, nid: int, path: tuple[str, ...], props: dict[int, PropValue]
    ) -> list[tuple[int, dict[int, PropValue]]]:
        try:
            table = _Node(self._ndb, _table_nid(nid, _NID_TYPE_HIERARCHY_TABLE))
            rows = table.rows(_FOLDER_ROW)
        except DAMAGE_ERRORS as exc:
            flag = props.get(PR_SUBFOLDERS)
            if flag is None or flag.as_int() & 0xFF:
                where = "/".join(path) or "the top folder"
                self.problems.append(f"subfolders of {where} unreadable: {exc}")
            return []
        return [
            (child, cells)
            for child, cells in zip(rows.row_ids, rows.cells, strict=True)
            if child & _NID_TYPE_MASK == _NID_TYPE_NORMAL_FOLDER
        ]


def _folder_name(nid: int, row: dict[int, PropValue], props: dict[int, PropValue]) -> str:
    # readpst names a directory after the folder's own display name; the parent's row is the
    # fallback when the folder's own properties are lost.
    for source in (props, row):
        value = source.get(PR_DISPLAY_NAME)
        if value is not None and value.as_str():
            return value.as_str()
    return f"(unnamed folder {nid:#x})"
