"""Which column means what: the canonical headers and the variants people export. Pure.

Matching ignores case, spaces, underscores and dashes: ``Source Email``, ``source-email`` and
``SOURCE_EMAIL`` are one header.
"""

import re
from dataclasses import dataclass, field

ALIASES: dict[str, tuple[str, ...]] = {
    "source_email": (
        "sourceemail", "sourcemail", "sourceaddress", "emailaddress", "email", "mail",
        "srcemail", "oldemail", "fromemail", "email1", "primarysmtpaddress",
    ),
    "source_user": (
        "sourceuser", "sourceusername", "sourcelogin", "username", "user", "login", "user1",
        "srcuser", "userprincipalname",
    ),
    "source_password": (
        "sourcepassword", "sourcepass", "password", "pass", "passwd", "password1", "pass1",
        "srcpassword",
    ),
    "target_email": (
        "targetemail", "targetmail", "targetaddress", "destinationemail", "destemail",
        "newemail", "toemail", "email2",
    ),
    "target_user": (
        "targetuser", "targetusername", "targetlogin", "destinationuser", "destuser", "user2",
    ),
    "target_password": (
        "targetpassword", "targetpass", "destinationpassword", "destpassword", "password2",
        "pass2",
    ),
    "source_type": ("sourcetype", "type"),
    "folder_map": ("foldermap",),
}  # fmt: skip
_FIELD_OF: dict[str, str] = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_IGNORED = re.compile(r"[\s_\-\ufeff]+")


def normalise_header(header: str) -> str:
    """``Source_Email `` -> ``sourceemail``."""
    return _IGNORED.sub("", header).lower()


@dataclass
class HeaderMap:
    """Column index of each recognised field, plus what could not be used."""

    columns: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        """Whether the file has a column for ``name``."""
        return name in self.columns


def map_headers(headers: list[str]) -> HeaderMap:
    """Map header cells to fields; report unknown and repeated ones."""
    result = HeaderMap()
    for index, header in enumerate(headers):
        name = _FIELD_OF.get(normalise_header(header))
        if name is None:
            if header.strip():
                result.unknown.append(header.strip()[:40])
        elif name in result.columns:
            first = headers[result.columns[name]].strip()
            result.conflicts.append(f"columns {first!r} and {header.strip()!r} both mean {name}")
        else:
            result.columns[name] = index
    return result


def accepted_headers(name: str) -> str:
    """The header spellings accepted for ``name``, for error messages."""
    return ", ".join([name, *ALIASES[name][1:4]])
