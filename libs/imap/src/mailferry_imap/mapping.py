"""Which source folder goes to which destination folder (pure).

Rules, in order, for every selectable source folder:

1. **Path.** The namespace prefix (``INBOX.``) is removed and the name split at the source's
   separator: ``INBOX.Archive.2024`` becomes the path ``Archive/2024``. ``INBOX`` stays INBOX.
2. **Excludes / includes.** A pattern is a regular expression matched against the whole path
   (``/``-separated), or a literal path that also covers its subfolders: ``Trash`` excludes
   ``Trash`` and ``Trash/Old``; ``Lists/.*`` excludes every list. With includes, only matching
   folders are copied. Patterns may also name the folder as the source shows it (``INBOX.Junk``).
3. **Explicit map** (job map overlaid with the mailbox map; keys and values are paths with
   ``/``): the longest key equal to the path or to one of its parents wins and replaces that
   part, so ``{"Archive": "Old"}`` sends ``Archive/2024`` to ``Old/2024``.
4. **Automap** (special use, then name; see ``automap``): a top-level folder with a role goes to
   the destination folder with the same special use, else to the best-known name for the role
   that exists there, else keeps its name; its subfolders follow it. Two source folders with
   the same role (``Sent`` and ``Отправленные``) then merge into one destination folder.
5. **Destination name.** The path is joined with the destination's separator under its prefix;
   a separator character inside a name part becomes ``_``.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from mailferry_imap.automap import pick_by_name, role_of
from mailferry_imap.listing import ListEntry, Namespace
from mailferry_imap.utf7 import encode_mutf7

How = Literal["inbox", "map", "special-use", "name", "same"]


@dataclass(frozen=True)
class FolderRules:
    """What the operator asked for."""

    folder_map: Mapping[str, str] = field(default_factory=dict)
    exclude: Sequence[str] = ()
    include: Sequence[str] = ()
    automap: bool = True


@dataclass(frozen=True)
class MappedFolder:
    """One source folder and where its messages go."""

    source: ListEntry
    path: str
    destination_path: str
    destination: str
    destination_raw: str
    how: How
    role: str | None


@dataclass(frozen=True)
class FolderPlan:
    """The mapping of a mailbox: copied folders in source order, and what was left out."""

    folders: tuple[MappedFolder, ...]
    excluded: tuple[str, ...] = ()

    def groups(self) -> dict[str, list[MappedFolder]]:
        """Source folders per destination folder (raw name), parents before children."""
        grouped: dict[str, list[MappedFolder]] = {}
        for folder in self.folders:
            grouped.setdefault(folder.destination_raw, []).append(folder)
        return dict(sorted(grouped.items(), key=lambda item: _depth(item[1][0])))


def _depth(folder: MappedFolder) -> tuple[int, str]:
    return (folder.destination_path.count("/"), folder.destination_path)


def source_path(entry: ListEntry, namespace: Namespace) -> list[str]:
    """The folder's path parts, without namespace prefix."""
    if entry.name.upper() == "INBOX":
        return ["INBOX"]
    name = entry.name
    prefix = namespace.prefix
    if prefix and name.startswith(prefix):
        name = name[len(prefix) :]
    delimiter = entry.delimiter or namespace.delimiter
    parts = [part for part in (name.split(delimiter) if delimiter else [name]) if part]
    if parts and parts[0].upper() == "INBOX":
        parts[0] = "INBOX"
    return parts or [entry.name]


def destination_name(parts: Sequence[str], namespace: Namespace) -> str:
    """The destination's full folder name for path parts."""
    if list(parts) == ["INBOX"]:
        return "INBOX"
    delimiter = namespace.delimiter or "_"
    prefix = namespace.prefix
    if prefix and parts[0] == "INBOX" and prefix.rstrip(delimiter).upper() == "INBOX":
        parts = parts[1:]
    return prefix + delimiter.join(part.replace(delimiter, "_") for part in parts)


def matches(pattern: str, path: str, full_name: str) -> bool:
    """Whether an exclude/include pattern covers a folder (see the module rules)."""
    for candidate in (path, full_name):
        if candidate == pattern or candidate.startswith(pattern + "/"):
            return True
        try:
            if re.fullmatch(pattern, candidate):
                return True
        except re.error:
            continue
    return False


def plan_folders(
    source: Sequence[ListEntry],
    source_namespace: Namespace,
    destination: Sequence[ListEntry],
    destination_namespace: Namespace,
    rules: FolderRules,
) -> FolderPlan:
    """Map every selectable source folder to a destination folder."""
    context = _Context(destination, destination_namespace, rules)
    roles = _top_level_roles(source, source_namespace)
    folders: list[MappedFolder] = []
    excluded: list[str] = []
    for entry in source:
        if not entry.selectable:
            continue
        parts = source_path(entry, source_namespace)
        path = "/".join(parts)
        if not _wanted(rules, path, entry.name):
            excluded.append(path)
            continue
        folders.append(context.map(entry, parts, roles.get(parts[0])))
    return FolderPlan(tuple(folders), tuple(excluded))


def _wanted(rules: FolderRules, path: str, full_name: str) -> bool:
    if any(matches(p, path, full_name) for p in rules.exclude):
        return False
    return not rules.include or any(matches(p, path, full_name) for p in rules.include)


def _top_level_roles(
    source: Sequence[ListEntry], namespace: Namespace
) -> dict[str, tuple[str, How]]:
    roles: dict[str, tuple[str, How]] = {}
    for entry in source:
        parts = source_path(entry, namespace)
        if len(parts) != 1 or parts[0] == "INBOX":
            continue
        if entry.special_use is not None and (role := role_of(entry.special_use, "")):
            roles[parts[0]] = (role, "special-use")
        elif parts[0] not in roles and (role := role_of(None, parts[0])):
            roles[parts[0]] = (role, "name")
    return roles


class _Context:
    def __init__(
        self, destination: Sequence[ListEntry], namespace: Namespace, rules: FolderRules
    ) -> None:
        self.namespace = namespace
        self.rules = rules
        self.raw_by_name = {entry.name: entry.raw for entry in destination}
        tops = [(entry, source_path(entry, namespace)) for entry in destination if entry.selectable]
        self.by_special_use = {
            entry.special_use: parts for entry, parts in tops if entry.special_use is not None
        }
        self.top_names = [parts[0] for _, parts in tops if len(parts) == 1]

    def map(self, entry: ListEntry, parts: list[str], role: tuple[str, How] | None) -> MappedFolder:
        how: How = "same"
        target = parts
        if parts[0] == "INBOX":
            how = "inbox"
        if (mapped := self._explicit(entry.name, parts)) is not None:
            target, how = mapped, "map"
        elif self.rules.automap and role is not None:
            top = self._role_target(role[0])
            if top is not None:
                target, how = top + parts[1:], role[1]
        name = destination_name(target, self.namespace)
        raw = self.raw_by_name.get(name) or ("INBOX" if name == "INBOX" else encode_mutf7(name))
        own_role = role[0] if role and len(parts) == 1 else None
        role_name = "inbox" if name == "INBOX" else own_role
        return MappedFolder(entry, "/".join(parts), "/".join(target), name, raw, how, role_name)

    def _explicit(self, full_name: str, parts: list[str]) -> list[str] | None:
        if full_name in self.rules.folder_map:
            return self._target(self.rules.folder_map[full_name])
        for depth in range(len(parts), 0, -1):
            key = "/".join(parts[:depth])
            if key in self.rules.folder_map:
                return self._target(self.rules.folder_map[key]) + parts[depth:]
        return None

    def _target(self, value: str) -> list[str]:
        prefix = self.namespace.prefix
        if prefix and value.startswith(prefix):
            value = value[len(prefix) :]
        return [part for part in value.split("/") if part] or ["INBOX"]

    def _role_target(self, role: str) -> list[str] | None:
        special = self.by_special_use.get("\\" + role)
        if special is not None:
            return list(special)
        name = pick_by_name(role, self.top_names)
        return [name] if name is not None else None
