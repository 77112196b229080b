"""A mailbox in trouble: its error in plain words with what to do, and the folders short of mail."""

import json

import pytest
from playwright.sync_api import expect

from mailferry_contracts.common import Role
from tests.e2e.dashboard.seed import seeded_job

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
FOLDERS = [
    {"source_folders": ["INBOX"], "destination_folder": "INBOX", "source_messages": 120,
     "destination_messages": 120, "role": "inbox"},
    {"source_folders": ["Sent"], "destination_folder": "Sent Items", "source_messages": 40,
     "destination_messages": 37, "role": "sent"},
]  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "explained"),
    [("en-US", "The source server rejected the password."),
     ("pt-BR", "O servidor de origem recusou a senha.")],
    ids=["en", "pt-BR"],
)  # fmt: skip
def test_error_explained_and_deficit_highlighted(dashboard, login, new_page, locale, explained):
    job = seeded_job(dashboard, 5)
    [(mailbox,)] = dashboard.sql(
        "UPDATE migration_mailboxes SET verification = %s, verify_ratio = 0.98 "
        "WHERE job_id = %s AND row_number = 3 RETURNING id",
        [json.dumps({"folders": FOLDERS}), job],
    )
    page = login(new_page(locale=locale), Role.TECHNICIAN)
    page.goto(f"{dashboard.url}/ui/#/mailboxes/{mailbox}")

    expect(page.locator("#explain")).to_contain_text(explained)
    expect(page.locator("#explain")).to_contain_text("auth_failed_source")
    deficits = page.locator("#folders tr.deficit")
    expect(deficits).to_have_count(1)
    assert "Sent Items" in deficits.inner_text()
    assert deficits.locator("td").last.inner_text() == "3"
