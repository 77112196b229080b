"""A mailbox's run log: tail, follow (SSE) and download, served from the LOGS stream."""

import uuid
from collections import deque
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse, Response
from sse_starlette import EventSourceResponse

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import BusDep, get_resources
from mailferry_api.errors import NotFoundError
from mailferry_api.logs import queries
from mailferry_api.logs.lines import LineSplitter, tail
from mailferry_api.logs.schemas import LogTailOut
from mailferry_api.logs.stream import LogReader
from mailferry_api.resources import Resources

router = APIRouter(tags=["runs"])
MAX_LINES = 10_000

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON tail; `follow=true`: text/event-stream; `download=true`: text/plain",
        "content": {"text/event-stream": {}, "text/plain": {}},
    },
    404: {"description": "No such mailbox, no run yet, or the run is not the mailbox's"},
}


@router.get(
    "/mailboxes/{mailbox_id}/logs",
    response_model=LogTailOut,
    **requires(Permission.READ, responses=_RESPONSES),
)
async def get_mailbox_logs(
    mailbox_id: uuid.UUID,
    bus: BusDep,
    resources: Annotated[Resources, Depends(get_resources)],
    run_id: Annotated[uuid.UUID | None, Query(description="A run; default the latest")] = None,
    lines: Annotated[int, Query(ge=1, le=MAX_LINES, description="Lines of the tail")] = 200,
    follow: Annotated[bool, Query(description="Stream new lines as they arrive (SSE)")] = False,
    download: Annotated[bool, Query(description="The whole log as text/plain")] = False,
) -> LogTailOut | Response:
    """The latest (or a given) run's log: the last lines, followed live, or downloaded whole."""
    # A short-lived connection: a followed log can stay open for hours, a pooled one must not.
    async with resources.pool.connection() as conn:
        run = await _run_to_show(conn, mailbox_id, run_id)
    reader = LogReader(bus.js, str(mailbox_id), str(run))
    if download:
        return PlainTextResponse(
            await _whole(reader),
            headers={"Content-Disposition": f'attachment; filename="run-{run}.log"'},
        )
    if follow:
        return EventSourceResponse(_follow(reader, lines))
    kept, total = tail([chunk async for chunk in reader.stored()], lines)
    return LogTailOut(
        mailbox_id=mailbox_id, run_id=run, lines=kept, total_lines=total, truncated=total > lines
    )


async def _run_to_show(conn: Any, mailbox_id: uuid.UUID, run_id: uuid.UUID | None) -> uuid.UUID:
    if not await queries.mailbox_exists(conn, mailbox_id):
        raise NotFoundError(f"mailbox {mailbox_id} does not exist", code="mailbox_not_found")
    if run_id is not None:
        if not await queries.run_of_mailbox(conn, mailbox_id, run_id):
            raise NotFoundError(
                f"run {run_id} is not a run of mailbox {mailbox_id}", code="run_not_found"
            )
        return run_id
    latest = await queries.latest_run(conn, mailbox_id)
    if latest is None:
        raise NotFoundError(f"mailbox {mailbox_id} has no run yet", code="run_not_found")
    return latest


async def _whole(reader: LogReader) -> str:
    splitter = LineSplitter()
    out: list[str] = []
    async for chunk in reader.stored():
        out.extend(splitter.lines(chunk))
    return "\n".join(out) + ("\n" if out else "")


async def _follow(reader: LogReader, count: int) -> AsyncIterator[dict[str, str]]:
    """The tail of what is stored as one event, then one event per new chunk, then ``end``."""
    stored_until = await reader.last_sequence()
    splitter = LineSplitter()
    backlog: deque[str] = deque(maxlen=count)
    backlog_sent = stored_until == 0
    async for chunk in reader.follow():
        if chunk is not None and chunk.sequence <= stored_until:
            backlog.extend(splitter.lines(chunk))
            if chunk.sequence < stored_until:
                continue
        if not backlog_sent:
            backlog_sent = True
            if backlog:
                yield {"event": "lines", "data": "\n".join(backlog), "id": str(stored_until)}
            continue
        if chunk is not None:
            lines = splitter.lines(chunk)
            yield {"event": "lines", "data": "\n".join(lines), "id": str(chunk.sequence)}
    yield {"event": "end", "data": "the run finished"}
