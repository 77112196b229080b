"""The lists-tables-properties layer of [MS-PST] §2.3: heap-on-node, BTH, property contexts, tables.

Only what a folder count needs: property values of a few fixed and string/binary types, and the
rows of a table context (row ids and selected columns). Values larger than a heap allocation live
in subnodes; the caller passes a ``subnode_data`` function that returns their bytes.
"""

import struct
from collections.abc import Callable
from dataclasses import dataclass

from mailferry_runner_pst.pstfile.ndb import DAMAGE_ERRORS, PstDamageError

SubnodeData = Callable[[int], bytes]

_HN_SIG = 0xEC
CLIENT_PC = 0xBC
CLIENT_TC = 0x7C
_BTH_SIG = 0xB5
_HID_TYPE_MASK = 0x1F

PT_INT16 = 0x0002
PT_INT32 = 0x0003
PT_BOOLEAN = 0x000B
PT_STRING8 = 0x001E
PT_UNICODE = 0x001F
PT_BINARY = 0x0102
_INLINE_TYPES = frozenset({PT_INT16, PT_INT32, PT_BOOLEAN, 0x0004})
_TCI_4B, _TCI_2B, _TCI_1B, _TCI_BM = range(4)


class Heap:
    """A heap-on-node: allocations addressed by HID across the node's data blocks."""

    def __init__(self, blocks: list[bytes]) -> None:
        if not blocks or len(blocks[0]) < 12 or blocks[0][2] != _HN_SIG:  # noqa: PLR2004
            raise PstDamageError("node data is not a heap (signature missing)")
        self._blocks = blocks
        self.client_sig = blocks[0][3]
        self.user_root = int(struct.unpack_from("<I", blocks[0], 4)[0])

    def get(self, hid: int) -> bytes:
        index, block_index = (hid >> 5) & 0x7FF, hid >> 16
        if hid & _HID_TYPE_MASK or index == 0 or block_index >= len(self._blocks):
            raise PstDamageError(f"heap id {hid:#x} points outside the heap")
        block = self._blocks[block_index]
        page_map = struct.unpack_from("<H", block, 0)[0]
        alloc_count = struct.unpack_from("<H", block, page_map)[0]
        if index > alloc_count:
            raise PstDamageError(f"heap id {hid:#x} is not allocated")
        start, end = struct.unpack_from("<HH", block, page_map + 4 + 2 * (index - 1))
        if not start <= end <= len(block):
            raise PstDamageError(f"heap id {hid:#x} has impossible bounds")
        return block[start:end]

    def value(self, hnid: int, subnode_data: SubnodeData) -> bytes:
        """Bytes behind an HNID: a heap allocation, or a subnode's data."""
        if hnid == 0:
            return b""
        if hnid & _HID_TYPE_MASK == 0:
            return self.get(hnid)
        return subnode_data(hnid)


def bth_records(heap: Heap, header_hid: int) -> list[tuple[bytes, bytes]]:
    """All (key, data) records of a BTH, in key order."""
    header = heap.get(header_hid)
    if len(header) < 8 or header[0] != _BTH_SIG:  # noqa: PLR2004
        raise PstDamageError("BTH header signature missing")
    key_size, data_size, levels = header[1], header[2], header[3]
    root = int(struct.unpack_from("<I", header, 4)[0])
    return _bth_level(heap, root, key_size, data_size, levels) if root else []


def _bth_level(
    heap: Heap, hid: int, key_size: int, data_size: int, level: int
) -> list[tuple[bytes, bytes]]:
    raw = heap.get(hid)
    if level == 0:
        width = key_size + data_size
        return [
            (raw[i : i + key_size], raw[i + key_size : i + width])
            for i in range(0, len(raw) - width + 1, width)
        ]
    width = key_size + 4
    children = [
        int(struct.unpack_from("<I", raw, i + key_size)[0])
        for i in range(0, len(raw) - width + 1, width)
    ]
    return [rec for c in children for rec in _bth_level(heap, c, key_size, data_size, level - 1)]


@dataclass(frozen=True)
class PropValue:
    """A property's type and raw bytes (inline values as 4 little-endian bytes)."""

    prop_type: int
    raw: bytes

    def as_int(self) -> int:
        return int.from_bytes(self.raw[:4], "little")

    def as_str(self) -> str:
        if self.prop_type == PT_UNICODE:
            return self.raw.decode("utf-16-le", errors="replace").rstrip("\x00")
        return self.raw.decode("cp1252", errors="replace").rstrip("\x00")


def property_context(heap: Heap, subnode_data: SubnodeData) -> dict[int, PropValue]:
    """Property id -> value of a property context (PC) node."""
    if heap.client_sig != CLIENT_PC:
        raise PstDamageError("node is not a property context")
    found: dict[int, PropValue] = {}
    for key, data in bth_records(heap, heap.user_root):
        prop_id = int(struct.unpack_from("<H", key)[0])
        prop_type, ref = struct.unpack_from("<HI", data)
        if prop_type in _INLINE_TYPES:
            found[prop_id] = PropValue(prop_type, ref.to_bytes(4, "little"))
            continue
        try:
            found[prop_id] = PropValue(prop_type, heap.value(ref, subnode_data))
        except DAMAGE_ERRORS:
            continue  # one unreadable value must not hide the others
    return found


@dataclass(frozen=True)
class _Column:
    tag: int
    offset: int
    size: int
    bit: int


@dataclass(frozen=True)
class TableRows:
    """The rows of a table context that could be read."""

    row_ids: list[int]
    cells: list[dict[int, PropValue]]


def table_rows(
    heap: Heap,
    subnode_data: SubnodeData,
    wanted: frozenset[int],
    row_blocks: Callable[[int], list[bytes]],
) -> TableRows:
    """Row ids (from the row index) and the ``wanted`` property ids of each row.

    ``row_blocks(nid)`` returns the data blocks of the subnode that holds a large row matrix;
    rows never span blocks, so each block is cut on its own.
    """
    if heap.client_sig != CLIENT_TC:
        raise PstDamageError("node is not a table context")
    info = heap.get(heap.user_root)
    columns, rgib, row_index_hid, rows_hnid = _table_info(info)
    index = sorted(
        (int.from_bytes(data, "little"), int(struct.unpack_from("<I", key)[0]))
        for key, data in bth_records(heap, row_index_hid)
    )
    row_ids = [row_id for _, row_id in index]
    wanted_cols = [c for c in columns if c.tag >> 16 in wanted]
    matrix = _row_matrix(heap, rows_hnid, rgib[_TCI_BM], row_blocks) if wanted_cols else []
    cells = [
        _row_cells(matrix[i], wanted_cols, rgib, heap, subnode_data) if i < len(matrix) else {}
        for i, _ in index
    ]
    return TableRows(row_ids=row_ids, cells=cells)


def _table_info(info: bytes) -> tuple[list[_Column], tuple[int, ...], int, int]:
    if len(info) < 22 or info[0] != CLIENT_TC:  # noqa: PLR2004
        raise PstDamageError("table header signature missing")
    count = info[1]
    rgib = struct.unpack_from("<4H", info, 2)
    row_index_hid, rows_hnid = struct.unpack_from("<II", info, 10)
    columns = [
        _Column(*struct.unpack_from("<IHBB", info, 22 + 8 * i))
        for i in range(count)
        if 22 + 8 * (i + 1) <= len(info)
    ]
    return columns, rgib, row_index_hid, rows_hnid


def _row_matrix(
    heap: Heap, rows_hnid: int, row_size: int, row_blocks: Callable[[int], list[bytes]]
) -> list[bytes]:
    if rows_hnid == 0 or row_size == 0:
        return []
    blocks = [heap.get(rows_hnid)] if rows_hnid & _HID_TYPE_MASK == 0 else row_blocks(rows_hnid)
    return [
        block[i : i + row_size]
        for block in blocks
        for i in range(0, len(block) - row_size + 1, row_size)
    ]


def _row_cells(
    row: bytes,
    columns: list[_Column],
    rgib: tuple[int, ...],
    heap: Heap,
    subnode_data: SubnodeData,
) -> dict[int, PropValue]:
    ceb = row[rgib[_TCI_1B] : rgib[_TCI_BM]]
    cells: dict[int, PropValue] = {}
    for col in columns:
        if col.bit // 8 >= len(ceb) or not ceb[col.bit // 8] & (0x80 >> (col.bit % 8)):
            continue
        prop_type, raw = col.tag & 0xFFFF, row[col.offset : col.offset + col.size]
        if prop_type in _INLINE_TYPES or prop_type not in (PT_STRING8, PT_UNICODE, PT_BINARY):
            cells[col.tag >> 16] = PropValue(prop_type, raw)
            continue
        try:
            value = heap.value(int.from_bytes(raw, "little"), subnode_data)
        except DAMAGE_ERRORS:
            continue
        cells[col.tag >> 16] = PropValue(prop_type, value)
    return cells
