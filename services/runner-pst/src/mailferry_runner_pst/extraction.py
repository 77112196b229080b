"""What readpst produced, and what its exit code and stdout mean (pure).

readpst 0.6.76 facts (see tests/data/pst/README.md): exit 0 even when whole folders were lost,
1 for "Error opening File" (not a PST, empty, missing) and "Could not get root record" (damaged),
2 for an index error. Progress goes to stdout; stderr only carries OS errors.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mailferry_runner_pst.counts import OutputFile

EXIT_OK = 0
EXIT_OPEN_FAILED = 1
EXIT_INDEX_ERROR = 2

_FOLDER_DONE = re.compile(
    r'^\s*"(?P<name>.*)" - (?P<done>\d+) items done, (?P<skipped>\d+) items skipped\.'
)


@dataclass(frozen=True)
class ExtractedFolder:
    """One directory of readpst's output, relative to the store directory."""

    path: tuple[str, ...]
    counts: Mapping[OutputFile, int] = field(default_factory=dict)

    def count(self, output: OutputFile) -> int:
        return self.counts.get(output, 0)


@dataclass(frozen=True)
class ExtractedStore:
    """readpst's output tree: ``OUT/<store_dir>/<folders...>``."""

    store_dir: str | None
    folders: tuple[ExtractedFolder, ...] = ()
    stray_files: tuple[str, ...] = ()

    def total(self, output: OutputFile) -> int:
        return sum(f.count(output) for f in self.folders)


@dataclass(frozen=True)
class FolderProgress:
    """A ``"X" - N items done, M items skipped.`` line; N also counts subfolders."""

    name: str
    done: int
    skipped: int


def parse_progress(line: str) -> FolderProgress | None:
    """Parse one readpst stdout line; None for every other line."""
    match = _FOLDER_DONE.match(line)
    if match is None:
        return None
    return FolderProgress(match["name"], int(match["done"]), int(match["skipped"]))


@dataclass(frozen=True)
class ExitVerdict:
    """readpst's exit read as an error class (None: exited 0, which proves little)."""

    error_class: str | None
    message: str


def judge_exit(exit_code: int, stdout: Iterable[str], stderr: str = "") -> ExitVerdict:
    """What readpst's exit says. Exit 0 proves nothing about completeness."""
    text = "\n".join(stdout)
    if exit_code == EXIT_OK:
        return ExitVerdict(None, "readpst finished")
    if "Error opening File" in text:
        return ExitVerdict(
            "file_not_supported", "readpst could not open the file as an Outlook data file"
        )
    if "Could not get root record" in text or "Top of folders record not found" in text:
        return ExitVerdict(
            "file_unreadable", "the PST is damaged: readpst could not read its root record"
        )
    if exit_code == EXIT_INDEX_ERROR:
        return ExitVerdict(
            "file_unreadable", "the PST is damaged: readpst could not read its index"
        )
    if "Cannot change to output dir" in text:
        return ExitVerdict("internal", "readpst could not use its work directory")
    detail = (stderr.strip() or text.strip()).splitlines()[-1:] or [""]
    return ExitVerdict("file_unreadable", f"readpst failed (exit {exit_code}) {detail[0]}".strip())
