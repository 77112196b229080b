"""The demo's operator: a small HTTP client of the API (stdlib only, run off the event loop)."""

import asyncio
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from mailferry_devstack.environment import Stack

API = "api/v1/migration"
DEMO_USER = "demo@localhost"
WIZARD_NAME = "demo-wizard"


class DemoApiError(RuntimeError):
    """The API refused a demo request; the message holds its answer."""


def demo_token(stack: Stack, user: str = DEMO_USER, role: str = "technician") -> str:
    """A token of a local demo user (technician by default), issued by the API's own command."""
    done = subprocess.run(
        [sys.executable, "-m", "mailferry_api", "token", "--user", user,
         "--role", role, "--ttl", str(7 * 86400)],
        env=_api_env(stack), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def wizard_token(stack: Stack) -> str:
    """A service token for the simulated provisioning wizard; kept in memory, never printed."""
    done = subprocess.run(
        [sys.executable, "-m", "mailferry_api", "service-tokens", "issue",
         "--name", WIZARD_NAME, "--scope", "wizard", "--expires-days", "7"],
        env=_api_env(stack), capture_output=True, text=True, check=True,
    )  # fmt: skip
    # The command prints "token id: ...", the token, then a reminder: the token is line two.
    return done.stdout.splitlines()[1].strip()


def _api_env(stack: Stack) -> dict[str, str]:
    secret = os.environ.get("MIGRATION_JWT_SECRET") or stack.jwt_secret.get_secret_value()
    return {**os.environ, "MIGRATION_JWT_SECRET": secret, "MIGRATION_NATS_URL": stack.nats_url}


@dataclass(frozen=True)
class ApiClient:
    """Bearer-authenticated JSON (and CSV) requests to the stack's API."""

    base_url: str
    token: str

    async def get(self, path: str) -> Any:
        return await asyncio.to_thread(self._call, "GET", path, None, "application/json")

    async def post(self, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        return await asyncio.to_thread(self._call, "POST", path, data, "application/json")

    async def post_csv(self, path: str, data: bytes) -> Any:
        return await asyncio.to_thread(self._call, "POST", path, data, "text/csv")

    def _call(self, method: str, path: str, data: bytes | None, content_type: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the stack's own http URL
            f"{self.base_url}{API}/{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": content_type},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise DemoApiError(f"{method} {path}: {exc.code} {exc.read()[:500]!r}") from exc
