"""HTTP models of run logs."""

import uuid

from pydantic import Field

from mailferry_api.schemas import ResponseModel


class LogTailOut(ResponseModel):
    """The last lines of one run's log (secrets were redacted by the runner)."""

    mailbox_id: uuid.UUID
    run_id: uuid.UUID
    lines: list[str] = Field(description="The last lines, oldest first")
    total_lines: int = Field(description="Lines the whole log has (attempt markers included)")
    truncated: bool = Field(description="Whether earlier lines were left out")
