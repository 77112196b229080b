"""Actions follow the role: a technician never sees approve/override, an auditor sees no action."""

import pytest
from playwright.sync_api import expect

from mailferry_contracts.common import Role
from tests.e2e.dashboard.seed import seeded_job

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
APPROVALS = {"approve", "override"}
WRITES = {"preflight", "sync_initial", "sync_delta", "verify", "retry_failed"}


def actions(page) -> set[str]:
    page.wait_for_selector("#checks")
    return set(
        page.eval_on_selector_all("#actions [data-action]", "els => els.map(e => e.dataset.action)")
    )


@pytest.fixture(scope="module")
def job(dashboard):
    return seeded_job(dashboard, 40)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.TECHNICIAN, WRITES),
        (Role.OPS_LEAD, WRITES | {"approve"}),
        (Role.SUPER_ADMIN, WRITES | APPROVALS),
        (Role.AUDITOR, set()),
    ],
    ids=["technician", "ops_lead", "super_admin", "auditor"],
)
def test_the_job_page_offers_what_the_role_may_do_in_this_phase(
    dashboard, job, login, new_page, console_errors, role, expected
):
    page = login(new_page(), role)
    page.goto(f"{dashboard.url}/ui/#/jobs/{job}")

    assert actions(page) == expected
    if role == Role.AUDITOR:
        assert page.locator("#mailboxes input[type=checkbox]").count() == 0
        assert page.locator("a[href='#/jobs/new']").count() == 0
        assert page.locator("a[href='#/audit']").count() == 1
    if role == Role.TECHNICIAN:
        assert page.locator("a[href='#/audit']").count() == 0


def test_an_auditor_reads_the_audit_trail_and_its_csv_link(
    dashboard, login, page, console_errors, screenshot
):
    login(page, Role.AUDITOR)
    page.click("a[href='#/audit']")
    page.wait_for_selector("#audit tbody tr")

    rows = page.locator("#audit tbody tr").all_inner_texts()
    assert any("UserCreated" in r or "JobCreated" in r for r in rows)
    assert page.get_attribute("#audit-csv", "href").startswith("/api/v1/migration/audit.csv")
    screenshot(page, "audit")
    assert console_errors == []


def test_the_job_page_of_a_seeded_job_renders_in_portuguese(
    dashboard, job, login, new_page, screenshot
):
    page = login(new_page(locale="pt-BR"), Role.OPS_LEAD)
    page.goto(f"{dashboard.url}/ui/#/jobs/{job}")
    page.wait_for_selector("#checks")
    assert page.inner_text("[data-action=approve]") == "Aprovar portão"
    screenshot(page, "job-pt-BR")


@pytest.mark.parametrize(
    ("phase", "gate", "expected"),
    [
        ("dns_cutover", "ready_for_dns", {"sync_final", "verify", "retry_failed"}),
        ("verified", "ready_for_dns", {"sync_final", "verify", "retry_failed", "close"}),
        ("failed", "blocked", {"verify", "retry_failed", "retry_phase"}),
        ("closed", "ready_for_dns", set()),
    ],
    ids=["dns_cutover", "verified", "failed", "closed"],
)
def test_after_the_cutover_the_buttons_follow_the_phase(
    dashboard, login, page, console_errors, phase, gate, expected
):
    seeded = seeded_job(dashboard, 5, phase=phase, gate=gate)
    login(page, Role.OPS_LEAD)
    page.goto(f"{dashboard.url}/ui/#/jobs/{seeded}")
    assert actions(page) == expected
    assert console_errors == []


def test_a_bulk_retry_names_what_was_refused_and_keeps_it_selected(dashboard, job, login, page):
    # The seeded mailboxes have no failed run in the event log: the API refuses each retry.
    login(page, Role.TECHNICIAN)
    page.goto(f"{dashboard.url}/ui/#/jobs/{job}")
    rows = page.locator("#mailboxes tbody tr[data-mailbox]")
    rows.first.wait_for()
    for index in (0, 1):
        rows.nth(index).locator("input[type=checkbox]").check()
    emails = [rows.nth(i).locator(".col-email").inner_text() for i in (0, 1)]
    page.click("#bulk-retry")
    alert = page.locator("#toasts [role=alert]")
    expect(alert).to_contain_text("0 retried, 2 refused")
    assert any(email in alert.inner_text() for email in emails), alert.inner_text()
    expect(page.locator("#bulk strong")).to_contain_text("2")
