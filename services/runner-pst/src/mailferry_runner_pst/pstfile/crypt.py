"""The two block encodings of [MS-PST] 5.1 and 5.2 ("permute" and "cyclic").

They obscure rather than encrypt: the tables are fixed by the specification, so decoding needs
no password. The permute table R and the substitution table S are the spec's ``mpbbCrypt`` rows;
the inverse table I is derived from R instead of being spelled out a third time.
"""

_R = bytes.fromhex(
    "41361362a8216ebbf416cc047f64e85d1ef2cb2a74c55e35d295479e962d9a88"
    "4c7d843fdbac31b6485ff6c4d8398be7233b388ec8c1df25b120a546604e9cfb"
    "aad35651457c550007c92b9d859b09a08fadb30f63ab894bd7a7155a716642bf"
    "264a6b98faea7753b270052cfd593a867ece06eb827857c78d43afb41cd45bcd"
    "e2e9274fc3087280cfb0eff5286dbe304d3492d50e3c2232e5e4f99fc2d10a81"
    "12e1ee918376e397e6618a1779a4b7dc907a5c8c02a6ca69de501a1193b95287"
    "58fced1d37491b6ae0293399bd6cd994f340546ff0c673b8d63e6518441fdd67"
    "10f10c19ecae03a1147ba90bfff8a3c0a201f72ebc2468750dfeba2fb5d0da3d"
)
_S = bytes.fromhex(
    "14530f56b3c87a9ceb65481716159f02cc547c83000d0c0ba262a876dbd9edc7"
    "c5a4dcac8574d6d0a79bae9a967166c36399b8dd73928e847da55ed15d93b157"
    "5150808952944f4e0a6bbc8d7f6e47464140440111cb033ff7f4e1a98f3c3af9"
    "fbf0193082092ec99da08649ee6f4d6dc42d813425871b88aafc06a11238fd4c"
    "4272641337246a757743ffe6b44b365ce4d8353d45b92cecb7312b290768a30e"
    "697b189e2139be281a5b78f523ca2ab0af3efe048ce7e5983295d3f64ae8a6ea"
    "e9f3d52f7020f21f0567ad5510cecde3273bdabad7c226d4911dd21c2233f8fa"
    "f15aefcf90b68bb5bdc0bf08971e6ce261e0c6c159abbb58de5fdf60797eb28a"
)
_I = bytes(sorted(range(256), key=_R.__getitem__))

CRYPT_NONE = 0x00
CRYPT_PERMUTE = 0x01
CRYPT_CYCLIC = 0x02
BYTE_MASK = 0xFF


def decode_permute(data: bytes) -> bytes:
    """Undo the permutative encoding (NDB_CRYPT_PERMUTE)."""
    return data.translate(_I)


def encode_permute(data: bytes) -> bytes:
    """Apply the permutative encoding; tests use it to build blocks."""
    return data.translate(_R)


def decode_cyclic(data: bytes, block_id: int) -> bytes:
    """Undo the cyclic encoding (NDB_CRYPT_CYCLIC), keyed by the block's id."""
    key = block_id & 0xFFFFFFFF
    w = (key ^ (key >> 16)) & 0xFFFF
    out = bytearray(len(data))
    for i, byte in enumerate(data):
        lo, hi = w & BYTE_MASK, (w >> 8) & BYTE_MASK
        step = _R[(byte + lo) & BYTE_MASK]
        step = _S[(step + hi) & BYTE_MASK]
        step = _I[(step - hi) & BYTE_MASK]
        out[i] = (step - lo) & BYTE_MASK
        w = (w + 1) & 0xFFFF
    return bytes(out)
