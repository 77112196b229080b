"""What a whole imapsync log says (pure): logins, quota, folder sizes, statistics, errors, exit.

Only lines that imapsync 2.229 prints in a stable form are read; see the fixture logs in
``tests/data/imapsync/`` for every shape handled here.
"""

import re
from dataclasses import dataclass, field

_LOGIN_OK = re.compile(r"^Host([12]): success login on ")
_LOGIN_FAILED = re.compile(r"^Host([12])(?: failure: Error login on |: failed login on )")
_CONNECT_FAILED = re.compile(r"^Host([12]) failure: can not open imap connection")
_HOST_FAILURE = re.compile(r"^Host[12] failure: .*")
_QUOTA = re.compile(r"^Host2: Quota current storage is (\d+) bytes\. Limit is (\d+) bytes")
_FOLDER_SIZE = re.compile(
    r"^Host(?P<host>[12]) folder\s+(?P<index>\d+)/\d+ \[(?P<raw>.*?)\](?: = \[(?P<utf8>.*?)\])?\s+"
    r"(?:Size:\s+(?P<size>\d+) Messages:\s+(?P<messages>\d+)|does not exist yet)"
)
_STATS_START = "++++ Statistics"
_SIZES_AFTER = "Folders sizes after the synchronization"
_STAT = re.compile(r"^(?P<key>[A-Z][A-Za-z0-9 ()]+?)\s+: (?P<value>.*)$")
_DETECTED = re.compile(r"^Detected (\d+) errors")
_ERR = re.compile(r"^Err (\d+)/(\d+): (.*)$")
_MOST_FREQUENT = re.compile(r"^The most frequent error is (\w+)")
_ERRORS_MAX = re.compile(r"^Maximum number of errors (\d+) reached")
_EXIT = re.compile(r"^Exiting with return value (\d+) \(([A-Za-z0-9_]+)")
_JUST = re.compile(r"^Exiting because of --(\w+)")
_SIGNAL = re.compile(r"^Got a signal (\w+)")
_UNIDENTIFIED = re.compile(r"^There are (\d+) unidentified messages")
_LOOKS_GOOD = "The sync looks good"
_FIRST_INT = re.compile(r"(\d+)")
_SYNCED = re.compile(r"(\d+)/(\d+)")
_COULD_BE = re.compile(r"could be (\d+) without dry mode")
MAX_ERRORS_KEPT = 20


@dataclass(frozen=True)
class FolderSize:
    """One folder's size line (``--justfoldersizes`` or the sizes block before a sync)."""

    host: int
    index: int
    name: str
    messages: int | None
    size: int | None

    @property
    def exists(self) -> bool:
        return self.messages is not None


@dataclass(frozen=True)
class Statistics:
    """The ``++++ Statistics`` block."""

    folders_synced: int
    folders_total: int
    transferred: int
    skipped: int
    duplicates_host1: int
    noheader_host1: int
    bytes_transferred: int
    would_transfer: int | None = None


@dataclass
class LogSummary:
    """Everything the classifier needs from one imapsync run's output."""

    login: dict[int, bool] = field(default_factory=dict)
    connect_failed: set[int] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    quota: tuple[int, int | None] | None = None
    folder_sizes: list[FolderSize] = field(default_factory=list)
    statistics: Statistics | None = None
    detected_errors: int | None = None
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    most_frequent_error: str | None = None
    errors_max_reached: bool = False
    exit_value: int | None = None
    exit_name: str | None = None
    just: str | None = None
    signal: str | None = None
    unidentified: int = 0
    looks_good: bool = False
    sizes_after_sync: bool = False


class SummaryReader:
    """Feeds lines into a ``LogSummary``."""

    def __init__(self) -> None:
        self.summary = LogSummary()
        self._stats: dict[str, str] | None = None

    def feed(self, line: str) -> None:
        line = line.rstrip("\r\n")
        if self._stats is not None and (stat := _STAT.match(line)) is not None:
            self._stats[stat["key"].strip()] = stat["value"]
            return
        if line.startswith(_STATS_START):
            self._stats = {}
            return
        self._feed_other(line)

    def result(self) -> LogSummary:
        if self._stats is not None and self.summary.statistics is None:
            self.summary.statistics = _statistics(self._stats)
        return self.summary

    def _feed_other(self, line: str) -> None:
        for matcher in _MATCHERS:
            if matcher(self.summary, line):
                return


def _login(s: LogSummary, line: str) -> bool:
    if (ok := _LOGIN_OK.match(line)) is not None:
        s.login[int(ok[1])] = True
    elif (bad := _LOGIN_FAILED.match(line)) is not None:
        s.login[int(bad[1])] = False
    elif (conn := _CONNECT_FAILED.match(line)) is not None:
        s.connect_failed.add(int(conn[1]))
    else:
        return False
    if _HOST_FAILURE.match(line) and line not in s.failures:
        s.failures.append(line)
    return True


def _quota(s: LogSummary, line: str) -> bool:
    if (quota := _QUOTA.match(line)) is None:
        return False
    limit = int(quota[2])
    # "Limit is 0 bytes" is how imapsync renders "No quota" from GETQUOTAROOT.
    s.quota = (int(quota[1]), limit or None)
    return True


def _folder_size(s: LogSummary, line: str) -> bool:
    if line.startswith(_SIZES_AFTER):
        s.sizes_after_sync = True  # the block after a sync repeats names; keep the "before" one
        return True
    if s.sizes_after_sync or (size := _FOLDER_SIZE.match(line)) is None:
        return False
    s.folder_sizes.append(
        FolderSize(
            host=int(size["host"]),
            index=int(size["index"]),
            name=size["utf8"] or size["raw"],
            messages=None if size["messages"] is None else int(size["messages"]),
            size=None if size["size"] is None else int(size["size"]),
        )
    )
    return True


def _errors(s: LogSummary, line: str) -> bool:
    if (err := _ERR.match(line)) is not None:
        s.error_count = max(s.error_count, int(err[1]))
        if len(s.errors) < MAX_ERRORS_KEPT:
            s.errors.append(err[3])
    elif (detected := _DETECTED.match(line)) is not None:
        s.detected_errors = int(detected[1])
    elif (frequent := _MOST_FREQUENT.match(line)) is not None:
        s.most_frequent_error = frequent[1]
    elif _ERRORS_MAX.match(line):
        s.errors_max_reached = True
    else:
        return False
    return True


def _ending(s: LogSummary, line: str) -> bool:
    if (exit_line := _EXIT.match(line)) is not None:
        s.exit_value, s.exit_name = int(exit_line[1]), exit_line[2]
    elif (just := _JUST.match(line)) is not None:
        s.just = just[1]
    elif (signal := _SIGNAL.match(line)) is not None:
        s.signal = signal[1]
    elif (unidentified := _UNIDENTIFIED.match(line)) is not None:
        s.unidentified = int(unidentified[1])
    elif line.startswith(_LOOKS_GOOD):
        s.looks_good = True
    else:
        return False
    return True


_MATCHERS = (_login, _quota, _folder_size, _errors, _ending)


def _int(values: dict[str, str], key: str) -> int:
    match = _FIRST_INT.search(values.get(key, ""))
    return int(match[1]) if match else 0


def _statistics(values: dict[str, str]) -> Statistics:
    synced = _SYNCED.search(values.get("Folders synced", ""))
    could_be = _COULD_BE.search(values.get("Messages transferred", ""))
    return Statistics(
        folders_synced=int(synced[1]) if synced else 0,
        folders_total=int(synced[2]) if synced else 0,
        transferred=_int(values, "Messages transferred"),
        skipped=_int(values, "Messages skipped"),
        duplicates_host1=_int(values, "Messages found duplicate on host1"),
        noheader_host1=_int(values, "Messages void (noheader) on host1"),
        bytes_transferred=_int(values, "Total bytes transferred"),
        would_transfer=int(could_be[1]) if could_be else None,
    )


def summarize(lines: list[str]) -> LogSummary:
    """Summary of a complete log."""
    reader = SummaryReader()
    for line in lines:
        reader.feed(line)
    return reader.result()
