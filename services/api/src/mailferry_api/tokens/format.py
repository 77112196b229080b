"""Opaque bearer tokens: random, recognisable by prefix, stored only as a SHA-256. Pure.

A service token is ``mft_<token id hex>_<43 random url-safe characters>`` (256 bits); a
dashboard session token is ``mfs_<43 random url-safe characters>``. Their entropy makes a plain
SHA-256 a safe verifier (a password needs argon2; a 256-bit random value does not).
"""

import base64
import hashlib
import re
import uuid

SERVICE_PREFIX = "mft_"
SESSION_PREFIX = "mfs_"
SECRET_BYTES = 32
_SERVICE = re.compile(r"^mft_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$")
_SESSION = re.compile(r"^mfs_[A-Za-z0-9_-]{43}$")


def _encode(secret: bytes) -> str:
    return base64.urlsafe_b64encode(secret).decode().rstrip("=")


def token_sha256(token: str) -> str:
    """The verifier stored in place of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def service_token(token_id: uuid.UUID, secret: bytes) -> str:
    """The token shown once to whoever issues it."""
    if len(secret) != SECRET_BYTES:
        raise ValueError(f"a service token needs {SECRET_BYTES} random bytes")
    return f"{SERVICE_PREFIX}{token_id.hex}_{_encode(secret)}"


def service_token_id(token: str) -> uuid.UUID | None:
    """The token id of a well-formed service token, else None."""
    match = _SERVICE.match(token)
    return uuid.UUID(match.group(1)) if match else None


def session_token(secret: bytes) -> str:
    """A dashboard session token."""
    if len(secret) != SECRET_BYTES:
        raise ValueError(f"a session token needs {SECRET_BYTES} random bytes")
    return f"{SESSION_PREFIX}{_encode(secret)}"


def is_session_token(token: str) -> bool:
    """Whether ``token`` is shaped like a session token."""
    return bool(_SESSION.match(token))


def session_audit_id(session_key: str) -> str:
    """The id events give a session, from its key (the token's SHA-256).

    A digest of the key rather than the key itself: the key is the token's verifier, and the
    log is kept, copied and read by auditors. Logout derives the same id from its principal.
    """
    return hashlib.sha256(f"mailferry-session:{session_key}".encode()).hexdigest()[:32]
