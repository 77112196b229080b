"""Security headers on every response the API serves (JSON, CSV, docs, a bundled dashboard).

The CSP allows no inline script and nothing from another origin anywhere; the docs page
(``docs.py``) only adds inline styles, which Swagger UI sets on elements. HSTS is sent only
to clients on HTTPS: over plain HTTP a browser ignores it, and a local setup must stay
reachable.
"""

from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"
COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

HttpsOf = Callable[[Scope], bool]


class SecurityHeadersMiddleware:
    """Adds the headers to every HTTP response (without overriding a route's own)."""

    def __init__(self, app: ASGIApp, *, https_of: HttpsOf, docs_prefix: str) -> None:
        self.app = app
        self.https_of = https_of
        self.docs_prefix = docs_prefix

    def _headers(self, scope: Scope) -> dict[str, str]:
        path: str = scope["path"]
        headers = dict(COMMON)
        headers["content-security-policy"] = DOCS_CSP if path.startswith(self.docs_prefix) else CSP
        if path.startswith("/api/"):
            headers["cache-control"] = "no-store"
        if self.https_of(scope):
            headers["strict-transport-security"] = HSTS
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self._headers(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
