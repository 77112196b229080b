"""argon2id password hashes: the only form in which a password is ever kept."""

from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 12
MAX_PASSWORD = 1024


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, or None (length only, as NIST SP 800-63B advises)."""
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"the password must have at most {MAX_PASSWORD} characters"
    if "\x00" in password:
        return "the password contains a NUL character"
    return None


class Passwords:
    """Hash and verify; verifying an unknown user costs as much as a known one."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    @cached_property
    def _decoy(self) -> str:
        # Verified when the account is unknown, so that timing does not tell which emails exist.
        # Made on first use: hashing costs 64 MiB for a moment, which a process that never
        # sees a login (or not yet) should not pay at start.
        return self._hasher.hash("decoy password of an account that does not exist")

    def hash(self, password: str) -> str:
        """A new argon2id hash (random salt) of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; False for a missing or malformed hash."""
        try:
            return self._hasher.verify(password_hash or self._decoy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False
