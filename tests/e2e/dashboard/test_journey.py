"""Issue 7's journey in a real browser over the whole stack and two real Dovecot servers.

A technician creates a job, uploads a CSV with one bad row (the error is shown, nothing is
imported), fixes it, tests the connections with a preflight, runs an initial sync and watches
the bars reach 100 % without a reload, searches and follows a mailbox's log, selects the
mailboxes for a delta and runs a verification; an ops lead approves the gate and downloads the
PDF report.
"""

import asyncio
import io
import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from nats.js.errors import NotFoundError
from playwright.sync_api import expect
from pypdf import PdfReader

from mailferry_bus import BusSettings, open_bus
from mailferry_contracts import subjects
from mailferry_contracts.common import Role
from mailferry_devstack.corpus import CorpusSpec
from tests.e2e import operator as op
from tests.fixtures.dovecot_pair import MailboxPair

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
CORPUS = CorpusSpec(messages=400, total_bytes=12_000_000)  # 4 s a mailbox at RUNNER_PACE
ROWS = "#mailboxes tbody tr[data-mailbox]"
RECORD_BARS = """() => {
  window.seenProgress = [];
  new MutationObserver((records) => {
    for (const r of records) {
      const row = r.target.closest("tr");
      const value = Number(r.target.getAttribute("aria-valuenow"));
      window.seenProgress.push([row ? row.dataset.mailbox : r.target.id, value]);
    }
  }).observe(document.getElementById("main"),
    { subtree: true, attributes: true, attributeFilter: ["aria-valuenow"] });
}"""


def accounts(dovecot_pair) -> list[op.Account]:
    found = []
    for _ in range(2):
        account = op.new_account("web")
        source = dovecot_pair.source.add_user(account.source_user, account.source_password)
        target = dovecot_pair.destination.add_user(account.target_user, account.target_password)
        MailboxPair(dovecot_pair, source, target).fill_source(CORPUS)
        found.append(account)
    return found


def imported_events(nats_url: str, job_id: str) -> int:
    """How many MailboxesImported the event log holds for the job (read from NATS itself)."""

    async def count() -> int:
        bus = await open_bus(BusSettings(nats_url=nats_url), "e2e-check", ensure=False)
        subject = subjects.event_subject(subjects.AGGREGATE_JOB, job_id, "MailboxesImported")
        try:
            await bus.js.get_last_msg(subjects.EVENTS_STREAM, subject)
        except NotFoundError:
            return 0
        finally:
            await bus.close()
        return 1

    # Playwright's sync API keeps an event loop running in this thread: use another one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, count()).result()


def fill_job_form(page, dovecot_pair) -> None:
    page.fill("#domain", "old.example")
    page.fill("#ticket", "T-7")
    for prefix, server in (("src", dovecot_pair.source), ("dst", dovecot_pair.destination)):
        page.fill(f"#{prefix}-host", server.host)
        page.fill(f"#{prefix}-port", str(server.port))
        page.select_option(f"#{prefix}-security", "none")
        page.uncheck(f"#{prefix}-verify")
    page.select_option("#engine", "native")
    page.fill("#concurrency", "2")
    page.fill("#per-host", "2")
    page.fill("#folder-map", "Sent = Sent Items")
    page.fill("#excludes", "Junk")


def create_job_with_csv(page, dashboard, dovecot_pair, people, tmp_path, screenshot) -> str:
    page.click("a[href='#/jobs/new']")
    fill_job_form(page, dovecot_pair)
    page.click("#create-job")
    page.wait_for_selector("#step-mailboxes:not([hidden])")
    job_id = str(page.get_attribute("#step-job a[href^='#/jobs/']", "href")).split("/")[-1]

    good = op.csv_of(people, "old.example")
    bad = tmp_path / "with-a-bad-row.csv"
    bad.write_bytes(good + b"not-an-address,x,pw,also-bad,y,pw\n")
    page.set_input_files("#csv", str(bad))
    page.wait_for_selector("#preview-errors")
    errors = page.locator("#row-errors tbody tr").all_inner_texts()
    assert any(e.startswith("4") for e in errors), (
        errors
    )  # line 4: header, two good rows, the bad one
    expect(page.locator("#import")).to_be_disabled()
    screenshot(page, "new-job-csv-errors")
    assert imported_events(dashboard.stack.nats_url, job_id) == 0

    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(good)
    page.set_input_files("#csv", str(fixed))
    page.wait_for_selector("#preview-ok")
    page.click("#import")
    page.wait_for_selector("#imported")
    assert imported_events(dashboard.stack.nats_url, job_id) == 1
    return job_id


def test_create_import_preflight_sync_watch_log_approve_and_report(  # noqa: PLR0917 - fixtures
    dashboard, dovecot_pair, login, new_page, tmp_path, screenshot, console_errors, page
):
    people = accounts(dovecot_pair)
    login(page, Role.TECHNICIAN)
    job_id = create_job_with_csv(page, dashboard, dovecot_pair, people, tmp_path, screenshot)

    page.click("#test-connection")
    expect(page.locator("#preflight-results .badge[data-value=success]")).to_have_count(
        2, timeout=120_000
    )
    screenshot(page, "new-job-preflight")
    page.click("#open-job")
    page.wait_for_selector(ROWS)

    watch_initial_sync(page, screenshot)
    open_the_log(page, screenshot)
    page.go_back()
    page.wait_for_selector(ROWS)
    delta_for_the_selection(page, job_id)
    page.click("[data-action=verify]")
    expect(page.locator("#gate h2 .badge")).to_have_attribute(
        "data-value", "warning", timeout=120_000
    )

    lead = login(new_page(), Role.OPS_LEAD)
    lead.goto(f"{dashboard.url}/ui/#/jobs/{job_id}")
    expect(lead.locator("[data-action=approve]")).to_be_visible()
    lead.click("[data-action=approve]")
    expect(lead.locator("#gate h2 .badge")).to_have_attribute(
        "data-value", "ready_for_dns", timeout=60_000
    )
    screenshot(lead, "job")
    text = pdf_text(lead, tmp_path)
    lead.click("a[href='#/jobs']")
    lead.wait_for_selector("#jobs tbody tr[data-job]")
    screenshot(lead, "jobs")
    for expected in ("Migration report: old.example", "Gate:", people[0].source_user, "Phases"):
        assert expected in text, expected
    assert console_errors == []
    assert "GateApproved" in text
    assert "lead@example.com" in text or "ops-lead@example.com" in text


def watch_initial_sync(page, screenshot) -> None:
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.evaluate(RECORD_BARS)
    page.click("[data-action=sync_initial]")
    expect(page.locator(f"{ROWS} .col-status .badge[data-value=syncing]").first).to_be_visible(
        timeout=60_000
    )
    screenshot(page, "job-live")
    expect(page.locator("#overall")).to_have_attribute("aria-valuenow", "100.0", timeout=300_000)
    expect(page.locator(f"{ROWS} .bar[aria-valuenow='100.0']")).to_have_count(2, timeout=60_000)

    seen = page.evaluate("() => window.seenProgress")
    moving = [value for _, value in seen if 0 < value < 100]
    assert navigations == []
    assert moving, seen  # the bars moved through intermediate values, live
    assert page.evaluate("() => window.seenProgress !== undefined")  # same document throughout


def delta_for_the_selection(page, job_id: str) -> None:
    """Select the page's mailboxes; the bulk delta names exactly them."""
    page.check("#select-page")
    expect(page.locator("#bulk strong")).to_contain_text("2")
    shown = page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.mailbox)")
    with page.expect_request(lambda r: r.url.endswith(f"/jobs/{job_id}/sync")) as sent:
        page.click("#bulk-delta")
    body = json.loads(sent.value.post_data or "{}")
    assert body["mode"] == "delta"
    assert sorted(body["mailbox_ids"]) == sorted(shown)
    expect(page.locator("#bulk")).to_be_hidden()  # accepted: the selection is cleared
    expect(page.locator(f"{ROWS} .col-status .badge[data-value=ok]")).to_have_count(
        2, timeout=180_000
    )


def open_the_log(page, screenshot) -> None:
    page.click(f"{ROWS} .col-email a >> nth=0")
    page.wait_for_selector("#runs-table tbody tr")
    expect(page.locator("#log div").first).to_be_visible(timeout=30_000)
    total = page.locator("#log div").count()
    page.fill("#log-search", "INBOX")
    expect(page.locator("#log-info")).to_contain_text("lines match")
    matching = page.eval_on_selector_all("#log div", "lines => lines.map(l => l.textContent)")
    assert 0 < len(matching) <= total, (len(matching), total)
    assert all("inbox" in line.lower() for line in matching), matching
    assert "download=true" in page.get_attribute("#log-download", "href")
    screenshot(page, "mailbox")
    page.fill("#log-search", "")
    page.check("#log-follow")  # the run is over: the stream sends the tail, then its end
    expect(page.locator("#log-info")).to_contain_text("run finished", timeout=30_000)
    expect(page.locator("#log-follow")).not_to_be_checked()
    assert page.locator("#log div").count() > 0


def pdf_text(lead, tmp_path) -> str:
    with lead.expect_download() as download:
        lead.click("#report-pdf")
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_login_page(dashboard, page, screenshot):
    page.goto(f"{dashboard.url}/ui/#/login")
    page.wait_for_selector("#email")
    screenshot(page, "login")
    assert (
        json.loads(httpx.get(f"{dashboard.url}/ui/i18n/pt-BR.json").text)["login.submit"]
        == "Entrar"
    )
