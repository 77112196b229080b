"""Expected (independent count) versus extracted (readpst's files), per folder (pure).

``ok`` needs every mail folder to match. Calendar, contact and journal items cannot go to IMAP:
they are counted and reported (offered for download), and a shortfall there is reported without
making the mailbox partial. Items readpst cannot convert at all (posts, distribution lists,
tasks, notes) are reported as "not importable by readpst" with their counts.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from mailferry_runner_pst.counts import (
    NOT_EXTRACTED,
    OUTPUT_OF,
    FolderCount,
    ItemKind,
    OutputFile,
    StoreCount,
)
from mailferry_runner_pst.extraction import ExtractedFolder, ExtractedStore

_READPST_UNSAFE = str.maketrans({"/": "_", "\\": "_", ":": "_"})
_DELETED_ITEMS = "deleted items"
_NOUNS: Mapping[ItemKind, tuple[str, str]] = {
    ItemKind.MAIL: ("message", "messages"),
    ItemKind.APPOINTMENT: ("calendar item", "calendar items"),
    ItemKind.CONTACT: ("contact", "contacts"),
    ItemKind.JOURNAL: ("journal entry", "journal entries"),
    ItemKind.POST: ("post", "posts"),
    ItemKind.DISTRIBUTION_LIST: ("distribution list", "distribution lists"),
    ItemKind.TASK: ("task", "tasks"),
    ItemKind.STICKY_NOTE: ("note", "notes"),
    ItemKind.OTHER: ("item of another type", "items of other types"),
    ItemKind.UNKNOWN: ("item of unreadable type", "items of unreadable type"),
}

Outcome = Literal["ok", "partial"]


def readpst_name(name: str) -> str:
    r"""The directory name readpst gives a folder: ``/``, ``\`` and ``:`` become ``_``."""
    return name.translate(_READPST_UNSAFE)


def quantity(count: int, kind: ItemKind) -> str:
    singular, plural = _NOUNS[kind]
    return f"{count} {singular if count == 1 else plural}"


@dataclass(frozen=True)
class FolderVerdict:
    """One folder: what the file holds, what readpst wrote, and what is missing."""

    path: tuple[str, ...]
    pst_names: tuple[str, ...]
    expected_total: int | None
    expected: Mapping[ItemKind, int] = field(default_factory=dict)
    extracted: Mapping[OutputFile, int] = field(default_factory=dict)
    missing: Mapping[ItemKind, int] = field(default_factory=dict)
    not_importable: Mapping[ItemKind, int] = field(default_factory=dict)
    excluded: str | None = None
    unexpected: bool = False
    problems: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return "/".join(self.pst_names) or "(store root)"

    @property
    def mail_complete(self) -> bool:
        """Nothing that belongs in IMAP is missing or unverifiable here."""
        if self.excluded is not None:
            return True
        if self.expected_total is None or self.unexpected:
            return False
        return not self.missing.get(ItemKind.MAIL) and not self.missing.get(ItemKind.UNKNOWN)

    def lines(self) -> list[str]:
        if self.excluded is not None:
            return [f"{self.name}: {self.excluded}"] if self.expected_total else []
        if self.expected_total is None:
            return [f"{self.name}: item count unreadable ({'; '.join(self.problems)})"]
        if self.unexpected:
            return [f"{self.name}: extracted by readpst but not found by the independent count"]
        return self._missing_lines() + self._not_importable_lines()

    def _missing_lines(self) -> list[str]:
        lines = []
        mail_like = self.missing.get(ItemKind.MAIL, 0) + self.missing.get(ItemKind.UNKNOWN, 0)
        if mail_like:
            expected = self.expected.get(ItemKind.MAIL, 0) + self.expected.get(ItemKind.UNKNOWN, 0)
            extracted = self.extracted.get(OutputFile.MBOX, 0)
            lines.append(
                f"{self.name}: expected {expected}, extracted {extracted}, missing {mail_like}"
            )
        for kind, missing in self.missing.items():
            output = OUTPUT_OF.get(kind)
            if kind in (ItemKind.MAIL, ItemKind.UNKNOWN) or output is None:
                continue
            lines.append(
                f"{self.name}: expected {quantity(self.expected.get(kind, 0), kind)}, "
                f"extracted {self.extracted.get(output, 0)}, missing {missing} (download only)"
            )
        return lines

    def _not_importable_lines(self) -> list[str]:
        return [
            f"{self.name}: {quantity(n, kind)} not importable by readpst"
            for kind, n in self.not_importable.items()
        ]


@dataclass(frozen=True)
class Comparison:
    """Every folder's verdict and the mailbox-level outcome."""

    outcome: Outcome
    folders: tuple[FolderVerdict, ...]
    problems: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        return [line for f in self.folders for line in f.lines()] + list(self.problems)

    def expected(self, kind: ItemKind) -> int:
        return sum(f.expected.get(kind, 0) for f in self.folders if f.excluded is None)

    def extracted(self, output: OutputFile) -> int:
        return sum(f.extracted.get(output, 0) for f in self.folders)

    def missing(self, kind: ItemKind) -> int:
        return sum(f.missing.get(kind, 0) for f in self.folders)


def compare(count: StoreCount, extracted: ExtractedStore, include_deleted: bool) -> Comparison:
    """Compare per folder, folders matched by readpst's directory names."""
    expected = _merge_by_directory(count.folders)
    found = {f.path: f for f in extracted.folders}
    verdicts = [
        _verdict(path, names, folder, found.get(path), include_deleted)
        for path, (names, folder) in expected.items()
    ]
    verdicts += [_unexpected(f) for path, f in found.items() if path not in expected]
    problems = tuple(count.problems)
    if extracted.stray_files:
        problems += (f"unrecognised readpst output: {', '.join(extracted.stray_files)}",)
    ok = not problems and all(v.mail_complete for v in verdicts)
    return Comparison(outcome="ok" if ok else "partial", folders=tuple(verdicts), problems=problems)


def _merge_by_directory(
    folders: Iterable[FolderCount],
) -> dict[tuple[str, ...], tuple[tuple[str, ...], FolderCount]]:
    # Sibling folders whose names sanitise alike share one readpst directory.
    merged: dict[tuple[str, ...], tuple[tuple[str, ...], FolderCount]] = {}
    for folder in folders:
        path = tuple(readpst_name(part) for part in folder.path)
        if path not in merged:
            merged[path] = (folder.path, folder)
            continue
        names, seen = merged[path]
        kinds = Counter(seen.kinds) + Counter(folder.kinds)
        total = None if seen.total is None or folder.total is None else seen.total + folder.total
        both = FolderCount(path, total, dict(kinds), seen.container_class, seen.problems)
        merged[path] = (names, both)
    return merged


def _verdict(
    path: tuple[str, ...],
    names: tuple[str, ...],
    expected: FolderCount,
    extracted: ExtractedFolder | None,
    include_deleted: bool,
) -> FolderVerdict:
    written = dict(extracted.counts) if extracted is not None else {}
    base = FolderVerdict(
        path=path,
        pst_names=names,
        expected_total=expected.total,
        expected={k: n for k, n in expected.kinds.items() if n},
        extracted=written,
        problems=expected.problems,
    )
    if not include_deleted and any(p.casefold() == _DELETED_ITEMS for p in names):
        total = expected.total or 0
        reason = f"{total} items not extracted: Deleted Items was not requested"
        return replace(base, excluded=reason)
    return replace(
        base,
        missing=_missing(expected, written),
        not_importable={k: n for k, n in expected.kinds.items() if k in NOT_EXTRACTED and n},
    )


def _missing(expected: FolderCount, written: Mapping[OutputFile, int]) -> dict[ItemKind, int]:
    missing: dict[ItemKind, int] = {}
    surplus = 0
    for kind, output in OUTPUT_OF.items():
        difference = expected.count(kind) - written.get(output, 0)
        if difference > 0:
            missing[kind] = difference
        surplus += max(0, -difference)
    # Items whose type could not be read are only accounted for by output nobody expected.
    unknown = expected.count(ItemKind.UNKNOWN) - surplus
    if unknown > 0:
        missing[ItemKind.UNKNOWN] = unknown
    return missing


def _unexpected(extracted: ExtractedFolder) -> FolderVerdict:
    return FolderVerdict(
        path=extracted.path,
        pst_names=extracted.path,
        expected_total=0,
        extracted=dict(extracted.counts),
        unexpected=True,
    )
