"""AES-256-GCM under a key ring: every blob names the key that sealed it, so keys can rotate."""

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_MAGIC = b"mfv1"
_NONCE_BYTES = 12
_KEY_BYTES = 32


class KeyRingError(ValueError):
    """The key material is missing or malformed; the message names the setting to fix."""


class DecryptionError(ValueError):
    """A blob could not be opened: wrong key, unknown key id, tampered, or bound to another id."""


@dataclass(frozen=True)
class KeyRing:
    """Named 256-bit keys; ``primary`` seals new blobs, every key opens the blobs it sealed."""

    keys: dict[str, bytes]
    primary: str
    source: str = "MIGRATION_CREDENTIALS_KEY"
    """The setting the keys came from, named in every error about them."""

    @classmethod
    def parse(cls, spec: str, source: str) -> "KeyRing":
        """Parse ``kid:base64key[,kid:base64key...]``; the first entry is the primary key."""
        keys: dict[str, bytes] = {}
        for position, entry in enumerate(e.strip() for e in spec.replace("\n", ",").split(",")):
            if not entry or entry.startswith("#"):
                continue
            kid, sep, encoded = entry.partition(":")
            if not sep or not kid.isidentifier():
                raise KeyRingError(f"{source}: entry {position + 1} is not 'keyid:base64key'")
            keys[kid] = _decode_key(encoded, f"{source}: key {kid!r}")
        if not keys:
            raise KeyRingError(f"{source} holds no key")
        return cls(keys=keys, primary=next(iter(keys)), source=source)

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """Encrypt with the primary key; the blob carries the key id and a random nonce."""
        kid = self.primary.encode()
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.keys[self.primary]).encrypt(nonce, plaintext, associated_data)
        return _MAGIC + bytes([len(kid)]) + kid + nonce + sealed

    def open(self, blob: bytes, associated_data: bytes) -> bytes:
        """Decrypt a blob sealed by any key of the ring."""
        kid, nonce, sealed = _split(blob)
        key = self.keys.get(kid)
        if key is None:
            raise DecryptionError(f"blob sealed with key {kid!r}, which is not in the key ring")
        try:
            return AESGCM(key).decrypt(nonce, sealed, associated_data)
        except InvalidTag as exc:
            raise DecryptionError("blob does not authenticate (wrong key or tampered)") from exc

    def key_id_of(self, blob: bytes) -> str:
        """Which key sealed ``blob``."""
        return _split(blob)[0]


def _decode_key(encoded: str, what: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as exc:
        raise KeyRingError(f"{what} is not valid base64") from exc
    if len(key) != _KEY_BYTES:
        raise KeyRingError(f"{what} is {len(key)} bytes; AES-256 needs {_KEY_BYTES}")
    return key


def _split(blob: bytes) -> tuple[str, bytes, bytes]:
    if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + 1:
        raise DecryptionError("not a mailferry vault blob")
    kid_len = blob[len(_MAGIC)]
    start = len(_MAGIC) + 1
    kid = blob[start : start + kid_len].decode(errors="replace")
    nonce = blob[start + kid_len : start + kid_len + _NONCE_BYTES]
    return kid, nonce, blob[start + kid_len + _NONCE_BYTES :]


def generate_key_spec(kid: str) -> str:
    """A fresh ``kid:base64key`` entry."""
    return f"{kid}:{base64.b64encode(os.urandom(_KEY_BYTES)).decode()}"
