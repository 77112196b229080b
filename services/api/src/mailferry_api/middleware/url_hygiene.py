"""Refuse URLs carrying NUL or other control characters, before any route sees them.

PostgreSQL text cannot hold NUL (a filter containing one would be a 500), and control
characters in a path or query have no legitimate use here.
"""

import re
from urllib.parse import unquote_to_bytes

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mailferry_api.errors import ErrorBody

_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


def url_problem(path: str, query_string: bytes) -> str | None:
    """Why the URL is refused, or None. Pure."""
    decoded_query = unquote_to_bytes(query_string.replace(b"+", b" "))
    if _CONTROL.search(path.encode("utf-8", "surrogateescape")) or _CONTROL.search(decoded_query):
        return "the URL contains a control character (NUL, CR, LF, ...)"
    return None


class UrlHygieneMiddleware:
    """400 for a request whose path or query string holds a control character."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = (
            url_problem(scope["path"], scope.get("query_string", b""))
            if scope["type"] == "http"
            else None
        )
        if problem is None:
            await self.app(scope, receive, send)
            return
        body = ErrorBody(error="bad_url", message=problem)
        await JSONResponse(body.model_dump(mode="json"), status_code=400)(scope, receive, send)
