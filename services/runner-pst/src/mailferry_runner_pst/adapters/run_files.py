"""Files a run leaves for people: the quarantine mbox and the calendar/contacts zip."""

import zipfile
from collections.abc import Iterable
from pathlib import Path

from mailferry_runner_pst.adapters.readpst_output import output_files
from mailferry_runner_pst.counts import OutputFile
from mailferry_runner_pst.quarantine import QuarantineEntry, mbox_record

_EXTENSIONS = {
    OutputFile.CALENDAR: ".ics",
    OutputFile.CONTACTS: ".vcf",
    OutputFile.JOURNAL: ".ics",
}


def write_quarantine(entries: Iterable[QuarantineEntry], path: Path) -> None:
    """The quarantine mbox, one record per entry in order (blocking)."""
    with path.open("xb") as out:
        for entry in entries:
            out.write(mbox_record(entry))


def write_items(output_dir: Path, path: Path) -> int:
    """Zip readpst's calendar, contact and journal files; return how many files (blocking)."""
    written = 0
    with zipfile.ZipFile(path, "x", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind, extension in _EXTENSIONS.items():
            for source in output_files(output_dir, kind):
                relative = source.relative_to(output_dir)
                archive.write(source, str(relative.with_name(relative.name + extension)))
                written += 1
    return written
