"""Encrypted credentials vault: AES-256-GCM key ring over a NATS KV bucket."""

from mailferry_vault.keyring import DecryptionError, KeyRing, KeyRingError, generate_key_spec
from mailferry_vault.settings import VaultSettings
from mailferry_vault.startup import check_vault, open_checked_vault, require_keyring
from mailferry_vault.vault import CredentialVault, RotationResult, SecretNotFoundError

__all__ = [
    "CredentialVault",
    "DecryptionError",
    "KeyRing",
    "KeyRingError",
    "RotationResult",
    "SecretNotFoundError",
    "VaultSettings",
    "check_vault",
    "generate_key_spec",
    "open_checked_vault",
    "require_keyring",
]
