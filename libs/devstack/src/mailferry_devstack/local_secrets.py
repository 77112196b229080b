"""Secrets of the local stack: generated on first start, kept in the data dir, never printed.

A secret is written to a private temporary file (mode 0600 from its creation) and then linked
into place, so no reader ever sees a secret file that is half written or readable by others.
"""

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from mailferry_vault import generate_key_spec

_PRIVATE_FILE = 0o600
_PRIVATE_DIR = 0o700
_JWT_SECRET_BYTES = 48


@dataclass(frozen=True)
class LocalSecrets:
    """Where the credentials key ring is, and the JWT signing secret."""

    credentials_key_file: Path
    jwt_secret: SecretStr


def ensure_local_secrets(directory: Path) -> LocalSecrets:
    """Create the secrets that do not exist yet; return all of them."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(_PRIVATE_DIR)
    key_file = directory / "credentials.keys"
    _create_once(key_file, lambda: generate_key_spec("local1") + "\n")
    jwt_file = directory / "jwt_secret"
    _create_once(jwt_file, lambda: secrets.token_urlsafe(_JWT_SECRET_BYTES) + "\n")
    return LocalSecrets(
        credentials_key_file=key_file.resolve(),
        jwt_secret=SecretStr(jwt_file.read_text(encoding="utf-8").strip()),
    )


def _create_once(path: Path, content: Callable[[], str]) -> None:
    if path.exists():
        _keep_private(path)
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_FILE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(content())
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink()


def _keep_private(path: Path) -> None:
    # A data dir copied with a permissive umask gets tightened, never loosened.
    if path.stat().st_mode & 0o077:
        path.chmod(_PRIVATE_FILE)
