"""Refusing to start without the credentials key, or with one that does not open the vault.

``require_keyring`` fails on a missing or malformed key (call it while validating settings).
``open_checked_vault`` also proves each key of the ring against a key-check blob kept in the
bucket: the first process to use a key id seals a known text under it; every later start
opens that blob, so a key whose id is right but whose bytes are wrong fails at once, naming the
variable, instead of at the first mailbox's run. A key id that sealed stored secrets but is
missing from the ring fails too (rotate before dropping a key).
"""

import logging

from nats.js import JetStreamContext

from mailferry_vault.keyring import DecryptionError, KeyRing, KeyRingError
from mailferry_vault.settings import VaultSettings
from mailferry_vault.vault import CredentialVault

log = logging.getLogger(__name__)


def require_keyring(settings: VaultSettings, service: str) -> KeyRing:
    """The key ring, or ``KeyRingError`` saying which variable to set for ``service``."""
    try:
        return settings.keyring()
    except KeyRingError as exc:
        raise KeyRingError(f"{service} cannot start: {exc}") from exc


async def open_checked_vault(
    js: JetStreamContext, settings: VaultSettings, service: str
) -> CredentialVault:
    """The vault, after proving every key of the ring (``KeyRingError`` naming the variable)."""
    vault = await CredentialVault.open(js, require_keyring(settings, service))
    await check_vault(vault, service)
    return vault


async def check_vault(vault: CredentialVault, service: str) -> None:
    """Prove the vault's keys (``KeyRingError`` naming the variable)."""
    try:
        await vault.check_keys()
    except (KeyRingError, DecryptionError) as exc:
        raise KeyRingError(f"{service} cannot start: {exc}") from exc
