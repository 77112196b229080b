"""Remove secrets from log lines before they leave the runner (pure)."""

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

MASK = "[REDACTED]"
_QUOTED_OR_WORD = r'(?:"(?:[^"\\]|\\.)*"|\{\d+\+?\}|\S+)'
# IMAP commands are upper case on the wire, so the match stays case-sensitive: prose such as
# "Error login on [host] with user" must survive, while "a1 LOGIN user pass" must not.
_LOGIN = re.compile(rf"(\bLOGIN\s+{_QUOTED_OR_WORD}\s+){_QUOTED_OR_WORD}")
_AUTHENTICATE = re.compile(rf"(\bAUTHENTICATE\s+[A-Za-z0-9_-]+\s+){_QUOTED_OR_WORD}")
_KEY_VALUE = re.compile(
    r"(?i)(\b(?:password|passwd|pass|secret|token|access_token|oauthaccesstoken)\d?\b"
    r"\s*[:=]\s*|--password[12]\s+|Authorization:\s*Bearer\s+)(\S+)"
)


@dataclass
class Redactor:
    """Masks the known secrets of one run and anything shaped like credentials."""

    secrets: list[str] = field(default_factory=list)

    def add(self, secrets: Iterable[str | None]) -> None:
        """Register more secrets (and the encodings they travel in)."""
        for secret in secrets:
            if secret:
                self.secrets.extend(_forms(secret))
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted(set(self.secrets), key=len, reverse=True)

    def __call__(self, line: str) -> str:
        for secret in self.secrets:
            line = line.replace(secret, MASK)
        line = _LOGIN.sub(rf"\1{MASK}", line)
        line = _AUTHENTICATE.sub(rf"\1{MASK}", line)
        return _KEY_VALUE.sub(rf"\1{MASK}", line)


def _forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [secret, base64.b64encode(raw).decode(), base64.b64encode(raw).decode().rstrip("=")]
