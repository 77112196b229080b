"""A job of 10,000 mailboxes: the first page renders fast, and sorting and filtering are the
server's work (each one is a request with its parameters; the browser never holds all rows)."""

import time
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from mailferry_contracts.common import Role
from tests.e2e.dashboard.seed import seeded_job

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
ROWS = "#mailboxes tbody tr[data-mailbox]"


@pytest.fixture(scope="module")
def big_job(dashboard):
    return seeded_job(dashboard, 10_000)


def mailbox_queries(requests: list[str]) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlparse(u).query) for u in requests if urlparse(u).path.endswith("/mailboxes")
    ]


def first_email(page) -> str:
    return str(page.locator(f"{ROWS} td.col-email").first.inner_text())


def test_first_page_of_10000_mailboxes_then_sort_filter_search_and_page_on_the_server(
    dashboard, big_job, login, page, console_errors, screenshot
):
    login(page, Role.TECHNICIAN)
    page.goto("about:blank")
    started = time.perf_counter()
    page.goto(f"{dashboard.url}/ui/#/jobs/{big_job}")
    page.wait_for_selector(ROWS)
    elapsed = time.perf_counter() - started
    print(f"\njob page with 10,000 mailboxes: first page rendered in {elapsed * 1000:.0f} ms")  # noqa: T201
    assert page.locator(ROWS).count() == 50
    assert "10.000" in page.inner_text(".pager") or "10,000" in page.inner_text(".pager")
    page.wait_for_selector("#live-status[data-state=live]")
    screenshot(page, "job-10000-mailboxes")
    sort_filter_and_search(page)
    assert console_errors == []


def sort_filter_and_search(page) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    with page.expect_response(lambda r: "sort=email" in r.url and "order=desc" in r.url):
        page.click("[data-sort=email]")  # row order is already ascending by email
        page.click("[data-sort=email]")
    expect(page.locator(f"{ROWS} td.col-email").first).to_have_text("user10000@example.com")

    with page.expect_response(lambda r: "status=error" in r.url):
        page.select_option("#filter-status", "error")
    expect(page.locator(f"{ROWS} td.col-status .badge:not([data-value=error])")).to_have_count(0)
    statuses = page.eval_on_selector_all(
        f"{ROWS} td.col-status .badge", "els => els.map(e => e.dataset.value)"
    )
    assert set(statuses) == {"error"}

    with page.expect_response(lambda r: "q=user0999" in r.url):
        page.fill("#search", "user0999")
    expect(page.locator(ROWS)).to_have_count(2)  # user09993 and user09998, both in error

    with page.expect_response(lambda r: "error_class=auth_failed_source" in r.url):
        page.select_option("#filter-error", "auth_failed_source")

    queries = mailbox_queries(requests)
    assert {"sort": ["email"], "order": ["desc"]}.items() <= {
        k: v for k, v in queries[1].items() if k in ("sort", "order")
    }.items()
    assert queries[-1]["status"] == ["error"]
    assert queries[-1]["q"] == ["user0999"]
    assert queries[-1]["error_class"] == ["auth_failed_source"]
    assert all(q["limit"] == ["50"] for q in queries)


def test_paging_asks_the_server_for_the_next_50(dashboard, big_job, login, page):
    login(page, Role.AUDITOR)
    page.goto(f"{dashboard.url}/ui/#/jobs/{big_job}")
    page.wait_for_selector(ROWS)
    with page.expect_response(lambda r: "offset=50" in r.url and "/mailboxes" in r.url):
        page.click(".pager button >> nth=1")
    expect(page.locator(f"{ROWS} td.col-row").first).to_have_text("51")
    assert first_email(page) == "user00051@example.com"
