import os

from mailferry_runner_pst.pstfile.crypt import decode_cyclic, decode_permute, encode_permute


class TestPermute:
    def test_decoding_undoes_encoding(self):
        data = bytes(range(256)) * 4
        assert decode_permute(encode_permute(data)) == data

    def test_first_entries_of_the_spec_table(self):
        assert encode_permute(bytes([0, 1, 2, 3])) == bytes([0x41, 0x36, 0x13, 0x62])


class TestCyclic:
    def test_the_cyclic_encoding_is_its_own_inverse(self):
        data = os.urandom(4096)
        assert decode_cyclic(decode_cyclic(data, 0x1234_5678), 0x1234_5678) == data

    def test_the_key_matters(self):
        data = bytes(64)
        assert decode_cyclic(data, 4) != decode_cyclic(data, 8)
