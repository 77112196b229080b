"""The destination password of a command, from the vault; it goes to the uploader only."""

from mailferry_contracts.runs import MailboxWork
from mailferry_vault import CredentialVault, DecryptionError, SecretNotFoundError


class MissingCredentialError(LookupError):
    """The command names no destination credential, or one that cannot be opened."""


class VaultCredentials:
    """Opens the destination secret of an import."""

    def __init__(self, vault: CredentialVault) -> None:
        self._vault = vault

    async def target_secret(self, work: MailboxWork) -> str:
        ref = work.target_credential_ref
        if ref is None:
            raise MissingCredentialError("no destination credential is stored for the mailbox")
        try:
            return await self._vault.get(ref, mailbox_id=work.mailbox_id)
        except (SecretNotFoundError, DecryptionError) as exc:
            # The reference is safe to show; the exception text never holds the secret.
            raise MissingCredentialError(
                f"the destination credential {ref} cannot be opened: {exc}"
            ) from exc
