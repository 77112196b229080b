"""A run's quarantine: an mbox written in the work directory, stored in the artifacts store.

Records arrive one by one (the archive reader calls in from its thread, the uploader's refusals
come after), are appended to the file at once and never held in memory; the items are kept
for QuarantineRecorded. ``store`` puts the file in the ``migration_artifacts`` object store
under ``quarantine/<mailbox>/<run>.mbox`` (a retried attempt overwrites its own file).
"""

import asyncio
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from nats.js import JetStreamContext

from mailferry_contracts import subjects
from mailferry_contracts.mailboxes import QuarantineItem
from mailferry_runner_tgz.archive import Refusal
from mailferry_runner_tgz.quarantine import Quarantined, refused_entry

Builder = Callable[[int], Quarantined]
"""Builds the quarantine record and item of a message for the index it gets."""


def artifact_name(mailbox_id: uuid.UUID, run_id: uuid.UUID) -> str:
    """Object name of a run's quarantine mbox."""
    return f"quarantine/{mailbox_id}/{run_id}.mbox"


class QuarantineFile:
    """The quarantine mbox of one run attempt."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[QuarantineItem] = []
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        return len(self.items)

    def refused(self, refusal: Refusal) -> None:
        """A message the reader refused (called from the reader's thread)."""
        with self._lock:
            self._write(refused_entry(refusal, len(self.items)))

    async def add(self, build: Builder) -> None:
        """Another message, built for the next index (the uploader's refusals)."""

        def write() -> None:
            with self._lock:
                self._write(build(len(self.items)))

        await asyncio.to_thread(write)

    def _write(self, entry: Quarantined) -> None:
        with self.path.open("ab") as mbox:
            mbox.write(entry.record)
        self.items.append(entry.item)

    async def store(self, js: JetStreamContext, name: str) -> None:
        store = await js.object_store(subjects.ARTIFACTS_OBJECTS)
        handle = await asyncio.to_thread(self.path.open, "rb")
        try:
            await store.put(name, handle)
        finally:
            await asyncio.to_thread(handle.close)
