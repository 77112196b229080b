"""An httpx transport that remembers every secret a test sent and every body it got back.

Secrets are the values of password-like JSON fields and of password-like CSV columns (CSV
bodies and multipart uploads). ``assert_no_echo`` fails if any response body ever contained
one of them, in plain or JSON-escaped form.
"""

import contextlib
import csv
import io
import json
from typing import Any

import httpx

MAX_INSPECTED = 5 * 1024 * 1024
MIN_SECRET = 6
_SECRET_KEYS = ("password", "secret")


def _json_secrets(value: Any, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and any(k in str(key).lower() for k in _SECRET_KEYS):
                out.add(item)
            else:
                _json_secrets(item, out)
    elif isinstance(value, list):
        for item in value:
            _json_secrets(item, out)


def _csv_secrets(text: str, out: set[str]) -> None:
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if "pass" not in line.lower():
            continue
        delimiter = ";" if line.count(";") > line.count(",") else ","
        rows = list(csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delimiter))
        columns = [i for i, name in enumerate(rows[0]) if "pass" in name.lower()]
        for row in rows[1:]:
            out.update(row[i] for i in columns if i < len(row))
        return


def secrets_in(body: bytes, content_type: str) -> set[str]:
    """The secrets a request body carries."""
    found: set[str] = set()
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        with contextlib.suppress(ValueError):
            _json_secrets(json.loads(text), found)
    else:
        _csv_secrets(text, found)
    return {s for s in found if len(s) >= MIN_SECRET}


class SpyTransport(httpx.AsyncBaseTransport):
    """Wraps a transport; records secrets sent and bodies received."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.secrets: set[str] = set()
        self.bodies: list[tuple[str, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) <= MAX_INSPECTED:
            body = await request.aread()
            self.secrets |= secrets_in(body, request.headers.get("content-type", ""))
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        self.bodies.append((f"{request.method} {request.url.path}", content))
        return response

    def echoes(self) -> list[str]:
        """Where a secret came back: ``METHOD path`` of each offending response."""
        forms = {s for secret in self.secrets for s in (secret, json.dumps(secret)[1:-1])}
        return [
            where for where, body in self.bodies if any(form.encode() in body for form in forms)
        ]

    def assert_no_echo(self) -> None:
        """Fail naming the responses that contained a secret."""
        echoes = self.echoes()
        assert echoes == [], f"responses echoed a secret: {echoes[:10]}"

    async def aclose(self) -> None:
        await self.inner.aclose()
