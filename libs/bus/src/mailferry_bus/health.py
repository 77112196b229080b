"""``GET /healthz`` for services that speak no HTTP, for compose health checks and the devstack.

A service starts it in its lifespan with named checks; the answer is 200 when every check holds
and 503 otherwise, with the checks as JSON::

    checks = lambda: {"nats": bus.nc.is_connected}
    async with HealthServer(checks, port=settings.health_port, host=settings.health_host):
        ...  # run the service

A service may add ``details`` (its lag, its role) to the JSON; they inform, the checks decide.
Details that raise or a check that hangs answer 503 too: a service that cannot tell is not well.

``python -m mailferry_bus.health [URL]`` probes it (default: ``MIGRATION_HEALTH_PORT`` on
loopback) and exits 0 when healthy: the images have no curl, and this needs nothing but Python.
No dependency beyond what every service already has.
"""

import asyncio
import contextlib
import inspect
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Checks = Callable[[], Mapping[str, bool] | Awaitable[Mapping[str, bool]]]
"""Named checks, each true when that dependency is usable (``{"nats": True, "db": False}``)."""

Details = Callable[[], Awaitable[Mapping[str, object]]]
"""Extra JSON fields of the answer (``{"lag": 0, "role": "active"}``); raising means 503."""

log = logging.getLogger(__name__)

_OK = 200
_MAX_REQUEST_BYTES = 8192
_READ_TIMEOUT_S = 5.0
_ANSWER_TIMEOUT_S = 3.0
_RESERVED = frozenset({"status", "checks"})
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class HealthSettings(BaseSettings):
    """Where the health endpoint listens; mix into a service's ``Settings``."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    health_port: int | None = Field(
        default=None, ge=0, le=65535, description="Port of GET /healthz; unset = no endpoint"
    )
    health_host: str = Field(
        default="127.0.0.1",
        description="Address of the health endpoint; a container's own health check uses loopback",
    )


class HealthServer:
    """A tiny HTTP/1.0 server answering ``GET /healthz`` from ``checks`` (and ``details``).

    With ``port=None`` it does nothing, so a service can always enter it; ``port=0`` picks a
    free port (see ``port`` after start).
    """

    def __init__(
        self,
        checks: Checks,
        *,
        port: int | None,
        host: str = "127.0.0.1",
        details: Details | None = None,
    ) -> None:
        self._checks = checks
        self._details = details
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int | None:
        """The bound port once started, else the configured one."""
        if self._server is None or not self._server.sockets:
            return self._port
        bound: int = self._server.sockets[0].getsockname()[1]
        return bound

    async def start(self) -> None:
        if self._port is None or self._server is not None:
            return
        self._server = await asyncio.start_server(self._serve, self._host, self._port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> "HealthServer":
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(_read_request(reader), _READ_TIMEOUT_S)
            status, body = await self._answer(request)
            writer.write(_response(status, body))
            await writer.drain()
        except (TimeoutError, ConnectionError, ValueError, asyncio.IncompleteReadError):
            pass
        except asyncio.LimitOverrunError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, request: tuple[str, str]) -> tuple[int, dict[str, object]]:
        method, path = request
        if urlsplit(path).path != "/healthz":
            return 404, {"error": "only /healthz is served here"}
        if method != "GET":
            return 405, {"error": "use GET"}
        checks, details = await self._evaluate()
        healthy = bool(checks) and all(checks.values())
        return (_OK if healthy else 503), {
            **details,
            "status": "ok" if healthy else "unavailable",
            "checks": checks,
        }

    async def _evaluate(self) -> tuple[dict[str, bool], dict[str, object]]:
        # Whatever raises or hangs is a failed check, not a crashed endpoint.
        try:
            async with asyncio.timeout(_ANSWER_TIMEOUT_S):
                checks = await self._run_checks()
        except Exception as exc:
            return _failed("error", exc), {}
        try:
            async with asyncio.timeout(_ANSWER_TIMEOUT_S):
                details = await self._run_details()
        except Exception as exc:
            return {**checks, **_failed("details", exc)}, {}
        return checks, details

    async def _run_checks(self) -> dict[str, bool]:
        result = self._checks()
        if inspect.isawaitable(result):
            result = await result
        return {name: bool(ok) for name, ok in result.items()}

    async def _run_details(self) -> dict[str, object]:
        if self._details is None:
            return {}
        return {k: v for k, v in (await self._details()).items() if k not in _RESERVED}


def _failed(what: str, exc: Exception) -> dict[str, bool]:
    # Only the type is answered (a message may name hosts or users); the log has the rest.
    log.warning("health %s: %s: %s", what, type(exc).__name__, exc)
    return {f"{what}: {type(exc).__name__}": False}


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > _MAX_REQUEST_BYTES:
        raise ValueError("request head too large")
    method, path, _version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
    return method, path


def _response(status: int, body: Mapping[str, object]) -> bytes:
    payload = json.dumps(body, sort_keys=True, default=str).encode()
    head = (
        f"HTTP/1.0 {status} {_REASONS[status]}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        "Cache-Control: no-store\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + payload


async def probe(url: str, within_s: float = 2.0) -> bool:
    """Whether ``url`` (``http://host:port/path``) answers 200."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"not an http:// URL: {url!r}")
    try:
        answer = _status_is_ok(parts.hostname, parts.port or 80, parts.path or "/")
        return await asyncio.wait_for(answer, within_s)
    except (TimeoutError, OSError, ValueError, asyncio.IncompleteReadError):
        return False


async def _status_is_ok(host: str, port: int, path: str) -> bool:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        await writer.drain()
        status_line = await reader.readline()
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    _version, _, rest = status_line.partition(b" ")
    return rest.split(b" ", 1)[0] == str(_OK).encode()


def default_probe_url() -> str:
    """``/healthz`` on loopback at ``MIGRATION_HEALTH_PORT``."""
    port = os.environ.get("MIGRATION_HEALTH_PORT")
    if not port:
        raise SystemExit("MIGRATION_HEALTH_PORT is not set and no URL was given")
    return f"http://127.0.0.1:{port}/healthz"


def main(argv: list[str]) -> int:
    """Probe; exit status 0 when healthy (for ``HEALTHCHECK``/compose ``healthcheck``)."""
    url = argv[0] if argv else default_probe_url()
    return 0 if asyncio.run(probe(url)) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
