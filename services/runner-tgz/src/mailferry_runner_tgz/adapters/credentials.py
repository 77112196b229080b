"""The destination password from the vault; it goes to the uploader and nowhere else."""

from mailferry_contracts.runs import MailboxWork
from mailferry_vault import CredentialVault, DecryptionError, SecretNotFoundError


class MissingCredentialError(LookupError):
    """The command names no destination credential, or one that is gone or does not open."""


class DestinationCredentials:
    """Opens the destination secret of a command."""

    def __init__(self, vault: CredentialVault) -> None:
        self._vault = vault

    async def secret_for(self, work: MailboxWork) -> str:
        ref = work.target_credential_ref
        if ref is None:
            raise MissingCredentialError(
                "no destination credential is stored for the mailbox: the IMAP upload needs one"
            )
        try:
            return await self._vault.get(ref, mailbox_id=work.mailbox_id)
        except (SecretNotFoundError, DecryptionError) as exc:
            # The reference is safe to show; the exception text never holds the secret.
            raise MissingCredentialError(
                f"the destination credential {ref} cannot be opened: {exc}"
            ) from exc
