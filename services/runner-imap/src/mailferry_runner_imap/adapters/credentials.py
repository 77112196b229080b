"""Credential references -> secrets, from the vault. Secrets go to the engine and nowhere else."""

import uuid

from mailferry_contracts.runs import ImapWork
from mailferry_runner_imap.engine import Secrets
from mailferry_vault import CredentialVault, DecryptionError, SecretNotFoundError


class MissingCredentialError(LookupError):
    """A command names no credential, or one that is gone or does not open; says which side."""


class VaultCredentials:
    """Opens the two secrets of an IMAP command."""

    def __init__(self, vault: CredentialVault) -> None:
        self._vault = vault

    async def secrets_for(self, work: ImapWork) -> Secrets:
        source = await self._open("source", work.source_credential_ref, work.mailbox_id)
        target = await self._open("destination", work.target_credential_ref, work.mailbox_id)
        return Secrets(source=source, target=target)

    async def _open(self, side: str, ref: str | None, mailbox_id: uuid.UUID) -> str:
        if ref is None:
            raise MissingCredentialError(f"no {side} credential is stored for the mailbox")
        try:
            return await self._vault.get(ref, mailbox_id=mailbox_id)
        except (SecretNotFoundError, DecryptionError) as exc:
            # The reference is safe to show; the exception text never holds the secret.
            raise MissingCredentialError(
                f"the {side} credential {ref} cannot be opened: {exc}"
            ) from exc
