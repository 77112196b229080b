"""One stack for the dashboard's browser tests: API, projector, gate and runner-imap processes
on a NATS server and a database of their own, people who log in with passwords, and helpers to
seed read models and to save screenshots.

The browser is Playwright's sync API (Debian's Chromium, ``tests/fixtures/browser.py``), so the
fixtures here are sync too: the services run in subprocesses, never in the test's thread.
"""

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from mailferry_contracts.common import Role
from mailferry_devstack.nats_process import NatsProcess
from mailferry_devstack.ports import wait_until
from tests.e2e.stack import Stack
from tests.fixtures.browser import (  # noqa: F401 - a conftest's fixtures override the plugin's
    browser,
    browser_context_args,
    browser_type,
    browser_type_launch_args,
    launch_browser,
    playwright,
)

PASSWORD = "correct horse battery staple"
API = "/api/v1/migration"


@dataclass
class Dashboard:
    """The running stack and its people."""

    stack: Stack

    @property
    def url(self) -> str:
        return self.stack.api_url

    def email(self, role: Role) -> str:
        return f"{role.value.replace('_', '-')}@example.com"

    def http(self, role: Role = Role.SUPER_ADMIN) -> httpx.Client:
        token = self.stack.token(role, self.email(role))
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def create_people(self) -> None:
        with self.http() as http:
            for role in Role:
                body = {"email": self.email(role), "role": role.value, "password": PASSWORD}
                response = http.post("/api/v1/auth/users", json=body)
                assert response.status_code in (201, 409), response.text

    def sql(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.stack.database_url, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def projected(self) -> bool:
        try:
            return bool(self.sql("SELECT 1 FROM projection_tracking"))
        except psycopg.errors.UndefinedTable:
            return False


RUNNER_PACE = 100
"""Messages per second per mailbox run in the dashboard's stack."""


@pytest.fixture(scope="package")
def dashboard(pg_server_dsn: str) -> Iterator[Dashboard]:
    name = f"dash_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = pg_server_dsn.rsplit("/", 1)[0] + f"/{name}"
    with tempfile.TemporaryDirectory(prefix="mf-dash-") as tmp:
        base = Path(tmp)
        nats = NatsProcess(store_dir=base / "nats").start()
        stack = Stack(base=base / "services", nats_url=nats.url, database_url=database_url)
        try:
            stack.start("api", "mailferry_api")
            stack.start("projector", "mailferry_projector")
            stack.start("gate", "mailferry_gate", MIGRATION_GATE_LEASE_TTL_S="2")
            # Paced so that a sync lasts seconds whatever the machine: the journey watches the
            # bars pass through intermediate values, which a sub-second copy never shows.
            stack.start_runner("r1", MIGRATION_MAX_MESSAGES_PER_SECOND=str(RUNNER_PACE))
            stack.start_runner("r2", MIGRATION_MAX_MESSAGES_PER_SECOND=str(RUNNER_PACE))
            stack.wait_until_up()
            board = Dashboard(stack)
            board.create_people()
            with board.http() as http:  # one event, so that the projector records a position
                http.post(
                    f"{API}/jobs",
                    json={"domain": "warmup.example", "destination": {"host": "mail.example"}},
                )
            wait_until(board.projected, timeout=60, what="the projector's first position")
            yield board
        finally:
            stack.stop()
            nats.stop()
            keep = os.environ.get("MIGRATION_E2E_LOG_DIR")
            if keep:  # the services' output, for a failure that needs it
                Path(keep).mkdir(parents=True, exist_ok=True)
                (Path(keep) / "dashboard-services.log").write_text(stack.service_output())


@pytest.fixture
def login(dashboard: Dashboard) -> Callable[[Any, Role], Any]:
    """Sign a page in as a person of ``role`` through the login form; return the page."""

    def sign_in(page: Any, role: Role) -> Any:
        page.goto(f"{dashboard.url}/ui/#/login")
        page.fill("#email", dashboard.email(role))
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#jobs")
        return page

    return sign_in


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[Any, str], Path]:
    """Save a full-page screenshot (into ``MIGRATION_SCREENSHOT_DIR`` when set)."""
    folder = Path(os.environ.get("MIGRATION_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(page: Any, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture
def console_errors(page: Any) -> list[str]:
    """Errors the page logged (a CSP violation shows up here); the 401 of "who am I?" before
    signing in is expected."""
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and "status of 401" not in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors
