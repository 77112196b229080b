"""Live updates over server-sent events: one stream per job page, one for the jobs list.

Authenticated like every route (the session cookie, which EventSource sends, or a bearer). A
client that does not accept ``text/event-stream`` (EventSource always sends it) gets the
``ready`` snapshot as JSON instead of an endless stream.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse

from mailferry_api.auth.guard import requires
from mailferry_api.auth.permissions import Permission
from mailferry_api.deps import get_resources
from mailferry_api.errors import NotFoundError
from mailferry_api.realtime import queries
from mailferry_api.realtime.hub import Hub
from mailferry_api.realtime.stream import Position, job_snapshot, job_stream, jobs_stream
from mailferry_api.resources import Resources

router = APIRouter(prefix="/live", tags=["live"])
PING_S = 15
_SSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "text/event-stream: `ready` (snapshot), then `update` (coalesced); "
        "without `Accept: text/event-stream`, the snapshot as JSON",
        "content": {"text/event-stream": {}, "application/json": {}},
    },
}
EVENT_STREAM = "text/event-stream"
Res = Annotated[Resources, Depends(get_resources)]


def get_hub(request: Request, resources: Res) -> Hub:
    """The process's hub (created on first use, bound to the current bus)."""
    hub: Hub | None = getattr(request.app.state, "realtime_hub", None)
    if hub is None or hub.js is not resources.bus.js:
        hub = request.app.state.realtime_hub = Hub(resources.bus.js)
    return hub


def _position(resources: Resources) -> Position:
    async def position() -> int:
        # A short-lived connection: a stream stays open for hours, a pooled one must not.
        async with resources.pool.connection() as conn:
            return await queries.projected_position(conn)

    return position


def _response(stream: Any) -> EventSourceResponse:
    return EventSourceResponse(stream, ping=PING_S, headers={"X-Accel-Buffering": "no"})


def wants_stream(request: Request) -> bool:
    """Whether the client asked for server-sent events."""
    return EVENT_STREAM in request.headers.get("accept", "")


@router.get(
    "/jobs/{job_id}",
    response_class=EventSourceResponse,
    response_model=None,
    **requires(Permission.READ, responses=_SSE),
)
async def follow_job(
    job_id: uuid.UUID, request: Request, resources: Res, hub: Annotated[Hub, Depends(get_hub)]
) -> EventSourceResponse | JSONResponse:
    """A job's progress (coalesced RunProgress) and changes (its events, once projected)."""
    async with resources.pool.connection() as conn:
        if not await queries.job_exists(conn, job_id):
            raise NotFoundError(f"job {job_id} does not exist", code="job_not_found")
    if not wants_stream(request):
        ready, _ = await job_snapshot(hub.js, str(job_id), _position(resources))
        return JSONResponse(ready)
    return _response(job_stream(hub, str(job_id), _position(resources)))


@router.get(
    "/jobs",
    response_class=EventSourceResponse,
    response_model=None,
    **requires(Permission.READ, responses=_SSE),
)
async def follow_jobs(
    request: Request, resources: Res, hub: Annotated[Hub, Depends(get_hub)]
) -> EventSourceResponse | JSONResponse:
    """Which jobs changed (once projected) and live totals of the running ones."""
    if not wants_stream(request):
        return JSONResponse({"position": await _position(resources)()})
    return _response(jobs_stream(hub, _position(resources)))
