"""A run's log: every line, redacted, appended in chunks to the LOGS stream.

The API serves tail/follow from ``migration.logs.<mailbox>.<run>``, so no disk is shared between
runners and the API. Chunks carry ``Nats-Msg-Id = <run>:<attempt>:<n>`` so a retried publish is
not stored twice.
"""

from nats.js import JetStreamContext

from mailferry_bus.runners.redaction import Redactor
from mailferry_contracts import subjects

CHUNK_BYTES = 32 * 1024
ATTEMPT_HEADER = "Mailferry-Run-Attempt"


class RunLog:
    """Buffer of redacted lines for one attempt of one run."""

    def __init__(
        self,
        js: JetStreamContext,
        *,
        mailbox_id: str,
        run_id: str,
        attempt: int,
        redact: Redactor,
    ) -> None:
        self._js = js
        self._run_id = run_id
        self._attempt = attempt
        self.redact = redact
        self._lines: list[str] = []
        self._size = 0
        self._chunks = 0
        self.subject = subjects.log_subject(mailbox_id, run_id)

    def write(self, line: str) -> None:
        """Add one line (redacted now, so nothing unredacted is ever held for publishing)."""
        clean = self.redact(line.rstrip("\r\n"))
        self._lines.append(clean)
        self._size += len(clean) + 1

    @property
    def full(self) -> bool:
        return self._size >= CHUNK_BYTES

    async def flush(self) -> None:
        """Publish what is buffered as one chunk."""
        if not self._lines:
            return
        data = ("\n".join(self._lines) + "\n").encode()
        self._lines, self._size = [], 0
        self._chunks += 1
        await self._js.publish(
            self.subject,
            data,
            stream=subjects.LOGS_STREAM,
            headers={
                "Nats-Msg-Id": f"{self._run_id}:{self._attempt}:{self._chunks}",
                ATTEMPT_HEADER: str(self._attempt),
            },
        )
