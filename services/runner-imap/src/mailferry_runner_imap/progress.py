"""imapsync's text output -> progress (pure).

imapsync has no machine-readable progress; the stable signals are the per-message lines
(``msg SRC/UID {SIZE} copied to DST/UID  R msgs/s  B MiB/s  C MiB copied [ETA: ... S s  L/T msgs
left]``), the ``Folder n/N [..] -> [..]`` lines and, with folder sizes on, the per-folder
``ETA: ... L/T msgs left`` lines. Folder names on ``msg`` lines are raw modified UTF-7.
"""

import re
from dataclasses import dataclass, field

from mailferry_bus.runners import Progress

_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4}
MSG_COPIED = re.compile(
    r"^msg (?P<src>.+?)/(?P<uid>\d+) \{(?P<size>\d+)\}\s+copied to (?P<dst>.+?)/\d+\s+"
    r"(?P<rate>[\d.]+) msgs/s\s+(?P<bw>[\d.]+) (?P<bwu>[KMGT]?i?B)/s\s+"
    r"(?P<cum>[\d.]+) (?P<cumu>[KMGT]?i?B) copied"
    r"(?:\s+ETA: .*?\s(?P<eta>\d+) s\s+(?P<left>\d+)/(?P<total>\d+) msgs left)?"
)
MSG_DRY = re.compile(r"^msg (?P<src>.+?)/\d+ copying to (?P<dst>.+?)\s+\(not really since --dry")
FOLDER = re.compile(
    r"^Folder\s+(?P<index>\d+)/(?P<count>\d+) \[(?P<raw>.*?)\]\s*(?:= \[(?P<utf8>.*?)\]\s*)?-> "
)
ETA_LINE = re.compile(r"^ETA: .*?\s(?P<eta>\d+) s\s+(?P<left>\d+)/(?P<total>\d+) msgs left")
NB_MESSAGES = re.compile(r"^Host1 Nb messages:\s+(?P<total>\d+) messages")


def to_bytes(value: str, unit: str) -> int:
    """``"16.377", "MiB"`` -> bytes."""
    return int(float(value) * _UNITS.get(unit, 1))


@dataclass
class ProgressReader:
    """Folds imapsync lines into the latest progress; ``feed`` returns it when it changed."""

    done: int = 0
    total: int | None = None
    folder: str = ""
    bytes_done: int = 0
    rate_messages: float = 0.0
    rate_bytes: float = 0.0
    eta_seconds: float | None = None
    _folders: list[str] = field(default_factory=list)

    def feed(self, line: str) -> Progress | None:
        """Read one line; return the new progress if the line moved it."""
        if (copied := MSG_COPIED.match(line)) is not None:
            self._copied(copied)
        elif MSG_DRY.match(line) is not None:
            self.done += 1
        elif (folder := FOLDER.match(line)) is not None:
            self.folder = folder["utf8"] or folder["raw"]
        elif (eta := ETA_LINE.match(line)) is not None:
            self._eta(eta)
        elif (nb := NB_MESSAGES.match(line)) is not None:
            self.total = int(nb["total"])
        else:
            return None
        return self.snapshot()

    def snapshot(self) -> Progress:
        total = self.total
        return Progress(
            messages_done=min(self.done, total) if total is not None else self.done,
            messages_total=total,
            folder=self.folder,
            bytes_done=self.bytes_done,
            rate_messages=self.rate_messages,
            rate_bytes=self.rate_bytes,
            eta_seconds=self.eta_seconds,
        )

    def _copied(self, match: re.Match[str]) -> None:
        self.rate_messages = float(match["rate"])
        self.rate_bytes = float(to_bytes(match["bw"], match["bwu"]))
        self.bytes_done = to_bytes(match["cum"], match["cumu"])
        if match["total"] is not None:
            self._eta(match)
        else:
            self.done += 1

    def _eta(self, match: re.Match[str]) -> None:
        self.total = int(match["total"])
        self.done = max(self.done, self.total - int(match["left"]))
        self.eta_seconds = float(match["eta"])
