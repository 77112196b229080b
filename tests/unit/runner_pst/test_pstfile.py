"""The [MS-PST] reader on hand-made damage: every failure is a PstDamageError, never a guess."""

import struct
from pathlib import Path

import pytest

from mailferry_runner_pst.pstfile.ltp import Heap
from mailferry_runner_pst.pstfile.ndb import (
    Ndb,
    NotAPstError,
    PstDamageError,
    PstFormat,
    UnsupportedPstError,
    parse_header,
    pst_crc,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "pst"


def reader(data: bytes):
    return lambda offset, size: data[offset : offset + size]


class TestParseHeader:
    def test_unicode_and_ansi_headers(self):
        unicode = parse_header((DATA / "pstsdk-sample1.pst").read_bytes()[:564])
        ansi = parse_header((DATA / "pstsdk-sample2-ansi.pst").read_bytes()[:564])
        assert (unicode.layout.fmt, unicode.version, unicode.crypt_method) == (
            PstFormat.UNICODE,
            23,
            1,
        )
        assert (ansi.layout.fmt, ansi.version) == (PstFormat.ANSI, 14)

    def test_text_is_not_a_pst(self):
        with pytest.raises(NotAPstError):
            parse_header(b"Subject: hello\n" * 50)

    def test_an_unknown_version_is_unsupported(self):
        header = bytearray((DATA / "pstsdk-sample1.pst").read_bytes()[:564])
        header[10:12] = struct.pack("<H", 99)
        with pytest.raises(UnsupportedPstError):
            parse_header(bytes(header))


class TestNdb:
    def test_a_block_beyond_the_end_or_overwritten_is_damage(self):
        data = (DATA / "pstsdk-sample1.pst").read_bytes()
        ndb = Ndb(reader(data), parse_header(data[:564]))
        bid = ndb.node(0x21).bid_data
        offset, size = ndb.block_location(bid)
        assert len(ndb.block(bid)) == size
        cut = Ndb(reader(data[: offset + 8]), ndb.header)
        zeroed = Ndb(reader(data[:offset] + bytes(512) + data[offset + 512 :]), ndb.header)
        for damaged in (cut, zeroed):
            with pytest.raises(PstDamageError):
                damaged.block(bid)

    def test_an_unknown_node_is_damage_not_a_crash(self):
        data = (DATA / "pstsdk-sample1.pst").read_bytes()
        ndb = Ndb(reader(data), parse_header(data[:564]))
        with pytest.raises(PstDamageError):
            ndb.node(0x7FFFFFE1)


class TestHeap:
    def test_a_block_without_the_heap_signature_is_damage(self):
        with pytest.raises(PstDamageError):
            Heap([bytes(64)])

    def test_a_heap_id_outside_the_heap_is_damage(self):
        block = bytearray(32)
        struct.pack_into("<HBBI", block, 0, 12, 0xEC, 0xBC, 0x20)
        struct.pack_into("<HHHH", block, 12, 1, 0, 16, 20)
        heap = Heap([bytes(block)])
        assert heap.get(0x20) == bytes(block[16:20])
        with pytest.raises(PstDamageError):
            heap.get(0x40)
        with pytest.raises(PstDamageError):
            heap.get(0x10020)


class TestCrc:
    def test_the_spec_crc_has_no_inversion(self):
        assert pst_crc(b"") == 0
        assert pst_crc(bytes(16)) == 0
        assert pst_crc(b"123456789") != 0
