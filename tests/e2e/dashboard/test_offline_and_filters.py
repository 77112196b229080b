"""What a closed deployment network and a daily user need beyond the journey: every request of
the dashboard and of the API docs stays on the API's origin; the language can be switched and
stays switched; the jobs list filters on the server."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from mailferry_contracts.common import Role
from tests.integration.api.seed import seed_job

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def test_the_dashboard_and_the_api_docs_load_nothing_from_elsewhere(
    dashboard, login, page, console_errors
):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, Role.TECHNICIAN)
    page.click("a[href='#/jobs/new']")
    page.wait_for_selector("#create-job")
    page.goto(f"{dashboard.url}/api/v1/docs")
    # Swagger UI rendered the operations it read from our OpenAPI document.
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert page.locator(".opblock").count() > 20
    elsewhere = [url for url in requested if not url.startswith(dashboard.url)]
    assert elsewhere == []
    assert any(url.endswith("/api/v1/docs/swagger-ui-bundle.js") for url in requested)
    # "who am I?" answers 401 before signing in; nothing else may fail.
    assert [f for f in failed if not (f.startswith("401 ") and f.endswith("/me"))] == []
    assert console_errors == []


def test_the_language_is_switched_and_stays_switched(dashboard, login, page, console_errors):
    login(page, Role.TECHNICIAN)
    expect(page.locator("#main h1")).to_have_text("Migration jobs")
    page.select_option("#lang", "pt-BR")
    expect(page.locator("#main h1")).to_have_text("Migrações")
    page.reload()
    expect(page.locator("#main h1")).to_have_text("Migrações")
    expect(page.locator("#lang")).to_have_value("pt-BR")
    page.select_option("#lang", "en")
    expect(page.locator("#main h1")).to_have_text("Migration jobs")
    assert console_errors == []


def test_the_jobs_list_filters_on_the_server(dashboard, login, page, console_errors):
    tag = uuid.uuid4().hex[:6]
    running, closed = f"running-{tag}.example", f"closed-{tag}.example"
    seed_job(dashboard.stack.database_url, uuid.uuid4(), domain=running, phase="delta_sync",
             gate="warning")  # fmt: skip
    seed_job(dashboard.stack.database_url, uuid.uuid4(), domain=closed, phase="closed",
             gate="ready_for_dns")  # fmt: skip
    queries: list[dict[str, list[str]]] = []

    def on_request(request) -> None:
        parts = urlsplit(request.url)
        if parts.path.endswith("/api/v1/migration/jobs"):
            queries.append(parse_qs(parts.query))

    page.on("request", on_request)
    login(page, Role.TECHNICIAN)
    table = page.locator("#jobs tbody")
    page.select_option("#filter-phase", "closed")
    expect(table).to_contain_text(closed)
    expect(table).not_to_contain_text(running)
    page.select_option("#filter-phase", "")
    page.select_option("#filter-gate", "warning")
    expect(table).to_contain_text(running)
    expect(table).not_to_contain_text(closed)
    page.select_option("#filter-gate", "")
    page.fill("#filter-domain", closed)
    page.press("#filter-domain", "Enter")
    expect(page.locator("#jobs tbody tr[data-job]")).to_have_count(1)
    expect(table).to_contain_text(closed)
    assert any(q.get("phase") == ["closed"] for q in queries)
    assert any(q.get("gate") == ["warning"] for q in queries)
    assert any(q.get("domain") == [closed] for q in queries)
    assert console_errors == []
