"""Refuse request bodies over the limit with 413, from Content-Length or while streaming.

The app never sees more than the limit: the receive channel raises once the count passes it.
The error is an HTTPException subclass so that FastAPI's body parsing lets it through.
"""

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailferry_api.errors import PayloadTooLargeError

LimitFor = Callable[[str, str], int]
"""(method, path) -> largest body accepted, in bytes."""


class BodyLimitMiddleware:
    """ASGI middleware enforcing a per-route body size limit."""

    def __init__(self, app: ASGIApp, limit_for: LimitFor) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(limit, scope, receive, send)
            return
        started = False

        async def send_watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _counting(receive, limit), send_watch)
        except PayloadTooLargeError:
            if started:
                raise
            await _refuse(limit, scope, receive, send)


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise PayloadTooLargeError(f"the request body is larger than {limit} bytes")
        return message

    return wrapped


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    error = PayloadTooLargeError(f"the request body is larger than {limit} bytes")
    response = JSONResponse(error.body().model_dump(mode="json"), status_code=413)
    response.headers["Connection"] = "close"
    await response(scope, receive, send)
