"""The page's live stream survives an API restart: it reconnects by itself, without a reload."""

import pytest
from playwright.sync_api import expect

from mailferry_contracts.common import Role
from tests.e2e.dashboard.seed import seeded_job

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def test_the_job_page_reconnects_after_the_api_restarts_and_shows_what_changed(
    dashboard, login, page
):
    job = seeded_job(dashboard, 30)
    login(page, Role.TECHNICIAN)
    page.goto(f"{dashboard.url}/ui/#/jobs/{job}")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    dashboard.stack.kill("api")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "reconnecting")
    dashboard.sql("UPDATE migration_jobs SET migration_gate = 'blocked' WHERE id = %s", [job])
    dashboard.stack.start("api", "mailferry_api")
    dashboard.stack.wait_until_up()

    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=60_000)
    expect(page.locator("#gate h2 .badge")).to_have_attribute("data-value", "blocked")
    assert navigations == []
