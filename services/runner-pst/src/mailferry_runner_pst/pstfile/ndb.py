"""The node database layer of [MS-PST] §2.2: header, the two B-trees, blocks and subnodes.

Every read is checked against what the file says it should be (page type, block id, size), so
a damaged region surfaces as :class:`PstDamageError` for the node that needs it and the caller
can carry on with the rest of the file. Nothing here trusts a length field without a bound.
"""

import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum

from mailferry_runner_pst.pstfile.crypt import (
    CRYPT_CYCLIC,
    CRYPT_NONE,
    CRYPT_PERMUTE,
    decode_cyclic,
    decode_permute,
)

ReadAt = Callable[[int, int], bytes]
"""``read_at(offset, size)``: at most ``size`` bytes from ``offset`` (short at end of file)."""

MAGIC = b"!BDN"
CLIENT_PST = b"SM"
CLIENT_OST = b"SO"
HEADER_SIZE = 564
_VERSIONS_ANSI = (14, 15)
_VERSIONS_UNICODE = (23,)
_VERSIONS_4K = (36, 37)

PTYPE_BBT = 0x80
PTYPE_NBT = 0x81
_BTYPE_XBLOCK = 0x01
_BTYPE_SLBLOCK = 0x02
_MAX_TREE_DEPTH = 8
_SCAN_CHUNK = 1 << 20
_BID_INTERNAL = 0x02
# Unicode NBT keys are 64-bit but a NID is 32: the upper half is padding.
_NID_MASK = 0xFFFFFFFF


class NotAPstError(Exception):
    """The file is not an Outlook data file (no ``!BDN`` header)."""


class UnsupportedPstError(Exception):
    """An Outlook data file in a variant this reader does not know (e.g. 4K-page OST)."""


class PstDamageError(Exception):
    """A page, block or node the file points to cannot be read back intact."""


DAMAGE_ERRORS = (PstDamageError, struct.error, IndexError, ValueError)
"""What reading a damaged structure can raise: garbage lengths also surface as these."""


class PstFormat(Enum):
    """ANSI (Outlook 97-2002, 32-bit ids) or Unicode (2003+, 64-bit ids)."""

    ANSI = "ansi"
    UNICODE = "unicode"


@dataclass(frozen=True)
class Layout:
    """Sizes that differ between ANSI (32-bit ids) and Unicode (64-bit ids) files."""

    id_size: int
    page_data: int
    block_trailer: int
    btree_meta: int  # offset of cEnt in a B-tree page

    @property
    def fmt(self) -> PstFormat:
        return PstFormat.ANSI if self.id_size == 4 else PstFormat.UNICODE  # noqa: PLR2004


ANSI = Layout(id_size=4, page_data=500, block_trailer=12, btree_meta=496)
UNICODE = Layout(id_size=8, page_data=496, block_trailer=16, btree_meta=488)
PAGE_SIZE = 512
BLOCK_ALIGN = 64


@dataclass(frozen=True)
class Bref:
    """A block or page reference: its id and file offset."""

    bid: int
    ib: int


@dataclass(frozen=True)
class Header:
    """The header fields the reader needs."""

    layout: Layout
    is_ost: bool
    version: int
    crypt_method: int
    file_eof: int
    nbt_root: Bref
    bbt_root: Bref


@dataclass(frozen=True)
class NodeEntry:
    """A node index (NBT) entry."""

    nid: int
    bid_data: int
    bid_sub: int
    nid_parent: int


@dataclass(frozen=True)
class SubnodeEntry:
    """An entry of a node's subnode tree."""

    nid: int
    bid_data: int
    bid_sub: int


def parse_header(data: bytes) -> Header:
    """Parse the file header; raises NotAPstError / UnsupportedPstError."""
    if len(data) < HEADER_SIZE or data[:4] != MAGIC:
        raise NotAPstError("no Outlook data file header (magic !BDN)")
    client, version = data[8:10], struct.unpack_from("<H", data, 10)[0]
    if client not in (CLIENT_PST, CLIENT_OST):
        raise NotAPstError(f"unknown client signature {client!r}")
    if version in _VERSIONS_ANSI:
        return _header(data, ANSI, client, version, (168, 184, 192, 461))
    if version in _VERSIONS_UNICODE:
        return _header(data, UNICODE, client, version, (184, 216, 232, 513))
    if version in _VERSIONS_4K:
        raise UnsupportedPstError(f"4K-page data file (version {version}) is not supported")
    raise UnsupportedPstError(f"unknown data file version {version}")


def _header(
    data: bytes, layout: Layout, client: bytes, version: int, offsets: tuple[int, int, int, int]
) -> Header:
    eof_at, nbt_at, bbt_at, crypt_at = offsets
    one, two = ("<I", "<II") if layout.fmt is PstFormat.ANSI else ("<Q", "<QQ")
    return Header(
        layout=layout,
        is_ost=client == CLIENT_OST,
        version=version,
        crypt_method=data[crypt_at],
        file_eof=struct.unpack_from(one, data, eof_at)[0],
        nbt_root=Bref(*struct.unpack_from(two, data, nbt_at)),
        bbt_root=Bref(*struct.unpack_from(two, data, bbt_at)),
    )


def pst_crc(data: bytes) -> int:
    """[MS-PST] §5.3 CRC: the reflected CRC-32 without zlib's pre/post inversion."""
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF


class Ndb:
    """Read access to nodes and blocks, tolerant of damage elsewhere in the file."""

    def __init__(self, read_at: ReadAt, header: Header) -> None:
        if header.crypt_method not in (CRYPT_NONE, CRYPT_PERMUTE, CRYPT_CYCLIC):
            raise UnsupportedPstError(f"unknown block encoding {header.crypt_method:#x}")
        self._read_at = read_at
        self.header = header
        self._layout = header.layout
        self._pages: dict[int, bytes] = {}
        self._salvaged: dict[int, dict[int, bytes]] = {}
        self.recovered: dict[str, set[int]] = {}
        """Damage met in the live index -> keys answered from older copies of index pages."""

    # ---------------------------------------------------------------- B-trees
    def _page(self, bref: Bref, ptype: int) -> bytes:
        cached = self._pages.get(bref.ib)
        if cached is not None:
            return cached
        page = self._read_at(bref.ib, PAGE_SIZE)
        if len(page) < PAGE_SIZE:
            raise PstDamageError(f"index page at {bref.ib:#x} lies beyond the end of the file")
        if not self._is_intact_page(page, ptype):
            raise PstDamageError(f"index page at {bref.ib:#x} is damaged")
        if self._trailer_bid(page) != bref.bid:
            raise PstDamageError(f"index page at {bref.ib:#x} does not hold page {bref.bid:#x}")
        self._pages[bref.ib] = page
        return page

    def _is_intact_page(self, page: bytes, ptype: int) -> bool:
        at = self._layout.page_data
        if page[at] != ptype or page[at + 1] != ptype:
            return False
        crc_at = at + 4 if self._layout.fmt is PstFormat.UNICODE else at + 8
        return bool(struct.unpack_from("<I", page, crc_at)[0] == pst_crc(page[:at]))

    def _trailer_bid(self, page: bytes) -> int:
        at = self._layout.page_data + 4
        if self._layout.fmt is PstFormat.ANSI:
            return int(struct.unpack_from("<I", page, at)[0])
        return int(struct.unpack_from("<Q", page, at + 4)[0])

    def _btree_find(self, root: Bref, ptype: int, key: int, mask: int) -> bytes | None:
        try:
            return self._descend(root, ptype, key, mask)
        except PstDamageError as exc:
            entry = self._salvage(ptype, mask).get(key)
            if entry is None:
                raise
            self.recovered.setdefault(str(exc), set()).add(key)
            return entry

    def _descend(self, root: Bref, ptype: int, key: int, mask: int) -> bytes | None:
        bref = root
        for _ in range(_MAX_TREE_DEPTH):
            page = self._page(bref, ptype)
            entries, level = self._entries(page, bref)
            if level == 0:
                return next((e for e in entries if self._key(e) & mask == key), None)
            below = [e for e in entries if self._key(e) & mask <= key]
            if not below:
                return None
            bref = self._bref(below[-1], self._layout.id_size)
        raise PstDamageError("index deeper than any valid file")

    def _entries(self, page: bytes, bref: Bref) -> tuple[list[bytes], int]:
        count, _, entry_size, level = page[self._layout.btree_meta : self._layout.btree_meta + 4]
        if entry_size == 0 or count * entry_size > self._layout.btree_meta:
            raise PstDamageError(f"index page at {bref.ib:#x} has impossible entry counts")
        return [page[i * entry_size : (i + 1) * entry_size] for i in range(count)], level

    def _salvage(self, ptype: int, mask: int) -> dict[int, bytes]:
        """Leaf entries of every intact index page of ``ptype`` anywhere in the file.

        Used only after the live tree failed: the file keeps superseded copies of index pages,
        and page ids only grow, so for each key the copy from the newest page wins.
        """
        if ptype not in self._salvaged:
            newest: dict[int, tuple[int, bytes]] = {}
            for offset, page in self._scan_pages(ptype):
                entries, level = self._entries(page, Bref(0, offset))
                page_bid = self._trailer_bid(page)
                for entry in entries if level == 0 else []:
                    key = self._key(entry) & mask
                    if key not in newest or newest[key][0] < page_bid:
                        newest[key] = (page_bid, entry)
            self._salvaged[ptype] = {key: entry for key, (_, entry) in newest.items()}
        return self._salvaged[ptype]

    def _is_sane_page(self, page: bytes, ptype: int) -> bool:
        if not self._is_intact_page(page, ptype):
            return False
        try:
            self._entries(page, Bref(0, 0))
        except PstDamageError:
            return False
        return True

    def _scan_pages(self, ptype: int) -> Iterator[tuple[int, bytes]]:
        offset = 0
        while chunk := self._read_at(offset, _SCAN_CHUNK):
            marker = chunk[self._layout.page_data :: PAGE_SIZE]
            for i, value in enumerate(marker):
                page = chunk[i * PAGE_SIZE : (i + 1) * PAGE_SIZE]
                if value == ptype and len(page) == PAGE_SIZE and self._is_sane_page(page, ptype):
                    yield offset + i * PAGE_SIZE, page
            offset += len(chunk)

    def _key(self, entry: bytes) -> int:
        if self._layout.fmt is PstFormat.ANSI:
            return int(struct.unpack_from("<I", entry)[0])
        return int(struct.unpack_from("<Q", entry)[0])

    def _bref(self, raw: bytes, at: int) -> Bref:
        fmt = "<II" if self._layout.fmt is PstFormat.ANSI else "<QQ"
        return Bref(*struct.unpack_from(fmt, raw, at))

    def node(self, nid: int) -> NodeEntry:
        """The NBT entry of ``nid``; raises PstDamageError when it cannot be found."""
        entry = self._btree_find(self.header.nbt_root, PTYPE_NBT, nid, _NID_MASK)
        if entry is None:
            raise PstDamageError(f"node {nid:#x} is not in the node index")
        size = self._layout.id_size
        fmt = "<III" if size == 4 else "<QQI"  # noqa: PLR2004
        bid_data, bid_sub, parent = struct.unpack_from(fmt, entry, size)
        return NodeEntry(nid=nid, bid_data=bid_data, bid_sub=bid_sub, nid_parent=parent)

    # ---------------------------------------------------------------- blocks
    def block_location(self, bid: int) -> tuple[int, int]:
        key = bid & ~1
        entry = self._btree_find(self.header.bbt_root, PTYPE_BBT, key, ~1)
        if entry is None:
            raise PstDamageError(f"block {key:#x} is not in the block index")
        bref = self._bref(entry, 0)
        cb = struct.unpack_from("<H", entry, 2 * self._layout.id_size)[0]
        return bref.ib, cb

    def block(self, bid: int) -> bytes:
        """The data of one block: checked against its trailer, decoded if external."""
        ib, cb = self.block_location(bid)
        total = -(-(cb + self._layout.block_trailer) // BLOCK_ALIGN) * BLOCK_ALIGN
        raw = self._read_at(ib, total)
        if len(raw) < total:
            raise PstDamageError(f"block {bid:#x} at {ib:#x} lies beyond the end of the file")
        self._check_trailer(raw[total - self._layout.block_trailer :], bid, cb)
        data = raw[:cb]
        if bid & _BID_INTERNAL:
            return data
        if self.header.crypt_method == CRYPT_PERMUTE:
            return decode_permute(data)
        if self.header.crypt_method == CRYPT_CYCLIC:
            return decode_cyclic(data, bid)
        return data

    def _check_trailer(self, trailer: bytes, bid: int, cb: int) -> None:
        if self._layout.fmt is PstFormat.ANSI:
            t_cb, _, t_bid, _ = struct.unpack("<HHII", trailer)
        else:
            t_cb, _, _, t_bid = struct.unpack("<HHIQ", trailer)
        if t_cb != cb or (t_bid & ~1) != (bid & ~1):
            raise PstDamageError(f"block {bid:#x} is damaged (its trailer does not match)")

    def data_blocks(self, bid: int) -> list[bytes]:
        """The data blocks of a data tree (a plain block or an XBLOCK/XXBLOCK tree)."""
        if bid == 0:
            return []
        data = self.block(bid)
        if not bid & _BID_INTERNAL:
            return [data]
        if data[0] != _BTYPE_XBLOCK:
            raise PstDamageError(f"block {bid:#x} is not a data tree")
        return [part for child in self._child_bids(data) for part in self.data_blocks(child)]

    def _child_bids(self, data: bytes) -> list[int]:
        count = struct.unpack_from("<H", data, 2)[0]
        size = self._layout.id_size
        fmt = "<I" if size == 4 else "<Q"  # noqa: PLR2004
        if 8 + count * size > len(data):
            raise PstDamageError("data tree block lists more children than it holds")
        return [struct.unpack_from(fmt, data, 8 + i * size)[0] for i in range(count)]

    def subnodes(self, bid_sub: int) -> dict[int, SubnodeEntry]:
        """The subnode tree below a node (SLBLOCK / SIBLOCK), by subnode id."""
        if bid_sub == 0:
            return {}
        data = self.block(bid_sub)
        if data[0] != _BTYPE_SLBLOCK:
            raise PstDamageError(f"block {bid_sub:#x} is not a subnode block")
        level, count = data[1], struct.unpack_from("<H", data, 2)[0]
        size = self._layout.id_size
        start = 4 if size == 4 else 8  # noqa: PLR2004
        fmt = "<III" if size == 4 else "<QQQ"  # noqa: PLR2004
        width = (2 if level else 3) * size
        if start + count * width > len(data):
            raise PstDamageError("subnode block lists more entries than it holds")
        found: dict[int, SubnodeEntry] = {}
        for i in range(count):
            at = start + i * width
            if level:
                found.update(self.subnodes(struct.unpack_from(fmt[:3], data, at)[1]))
            else:
                nid, bid_data, sub = struct.unpack_from(fmt, data, at)
                found[nid & 0xFFFFFFFF] = SubnodeEntry(nid & 0xFFFFFFFF, bid_data, sub)
        return found
