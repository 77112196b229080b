import pytest

from mailferry_imap.utf7 import Utf7Error, decode_mutf7, decode_mutf7_lenient, encode_mutf7

KNOWN = [
    ("INBOX", "INBOX"),
    ("Entrées", "Entr&AOk-es"),
    ("Entrées/Été", "Entr&AOk-es/&AMk-t&AOk-"),
    ("Factures & Reçus", "Factures &- Re&AOc-us"),
    ("Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"),
    ("日本語", "&ZeVnLIqe-"),
    ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
    ("😀", "&2D3eAA-"),
]


class TestModifiedUtf7:
    @pytest.mark.parametrize(("text", "wire"), KNOWN, ids=[w for _, w in KNOWN])
    def test_encodes_as_servers_do(self, text, wire):
        assert encode_mutf7(text) == wire

    @pytest.mark.parametrize(("text", "wire"), KNOWN, ids=[w for _, w in KNOWN])
    def test_decodes_back(self, text, wire):
        assert decode_mutf7(wire) == text

    @pytest.mark.parametrize("wire", ["Entr&AOk", "&Jjo!-", "&AMk"], ids=["open", "bad", "short"])
    def test_malformed_names_raise(self, wire):
        with pytest.raises(Utf7Error):
            decode_mutf7(wire)

    def test_lenient_decoding_keeps_a_malformed_name(self):
        assert decode_mutf7_lenient("R&D") == "R&D"
