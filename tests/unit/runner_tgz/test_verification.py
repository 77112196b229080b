import io
import uuid

import pytest

from mailferry_runner_tgz.archive import read_messages
from mailferry_runner_tgz.diagnosis import parse_folder_rows
from mailferry_runner_tgz.verification import (
    DestinationCount,
    SourceFolder,
    archive_sources,
    found_per_source,
    lines,
    listed_destinations,
    listed_sources,
    listed_stats,
    mailbox_verified,
    role_of,
    verification,
)
from tests.fixtures.tgz_generator import sample_mailbox

LISTING = """\
        Id  View      Unread   Msg Count  Path
----------  ----  ----------  ----------  ----------
         1  conv           0           0  /
        16  docu           0           1  /Briefcase
        10  appo           0           2  /Calendar
         7  cont           0           4  /Contacts
         2  conv          12         520  /Inbox
       258  mess           0           3  /Inbox/Projects
       300  conv           0           0  /Searches/unread (is:unread)
       301  mess           0           7  /Shared (Bob Builder:2)
       302  mess           0           2  /Kontakte privat
         5  mess           0          22  /Sent
"""


@pytest.fixture(scope="module")
def inventory():
    buffer = io.BytesIO()
    sample_mailbox(buffer)
    return read_messages(io.BytesIO(buffer.getvalue()))[1]


class TestRoles:
    @pytest.mark.parametrize(
        ("parts", "role"),
        [(("Inbox",), "inbox"), (("INBOX",), "inbox"), (("Sent",), "sent"),
         (("Inbox", "Sent"), "other"), (("Drafts",), "other")],
    )  # fmt: skip
    def test_inbox_and_sent_are_top_level_system_folders(self, parts, role):
        assert role_of(parts) == role


class TestSources:
    def test_the_archive_counts_mail_folders_without_refused_messages(self, inventory):
        sources = {s.name: s for s in archive_sources(inventory, imap=True)}
        assert not {"/Contacts", "/Calendar"} & set(sources)
        assert sources["/Inbox/Projects"].messages == 1  # 3 listed, 2 refused
        assert (sources["/Sent"].key, sources["/Sent"].role) == ("Sent", "sent")
        assert (sources["/Inbox/Bulk"].key, sources["/Inbox"].key) == ("INBOX/Bulk", "INBOX")
        on_carbonio = {s.name: s.key for s in archive_sources(inventory, imap=False)}
        assert on_carbonio["/Inbox/Bulk"] == "/inbox/bulk"

    def test_a_listing_gives_mail_folders_only(self):
        sources = listed_sources(parse_folder_rows(LISTING), imap=True)
        assert {s.name: (s.key, s.messages) for s in sources} == {
            "/Inbox": ("INBOX", 520),
            "/Inbox/Projects": ("INBOX/Projects", 3),
            "/Kontakte privat": ("Kontakte privat", 2),
            "/Sent": ("Sent", 22),
        }

    def test_a_preflight_lists_mail_folders_with_their_special_use(self):
        stats = {
            s.name: (s.messages, s.special_use) for s in listed_stats(parse_folder_rows(LISTING))
        }
        assert stats["/Inbox"] == (520, "INBOX")
        assert stats["/Sent"] == (22, "\\Sent")
        assert "/Contacts" not in stats


class TestVerification:
    def test_merged_sources_are_summed_per_destination(self):
        sources = [
            SourceFolder("/Sent", "Sent", 3, "sent"),
            SourceFolder("/Sent Mail", "Sent Mail", 2),
            SourceFolder("/Inbox", "INBOX", 5, "inbox"),
            SourceFolder("/Gone", "Gone", 1),
        ]
        destinations = {
            "Sent": DestinationCount("Sent Items", 5),
            "Sent Mail": DestinationCount("Sent Items", 5),
            "INBOX": DestinationCount("INBOX", 4),
        }
        folders = {f.destination_folder: f for f in verification(sources, destinations)}
        sent = folders["Sent Items"]
        assert (sent.source_folders, sent.role) == (["/Sent", "/Sent Mail"], "sent")
        assert (sent.source_messages, sent.destination_messages) == (5, 5)
        assert (folders["INBOX"].role, folders["INBOX"].destination_messages) == ("inbox", 4)
        assert folders["/Gone"].destination_messages == 0
        assert lines([folders["INBOX"]]) == [
            "/Inbox -> INBOX: 5 at the source, 4 at the destination (1 missing)"
        ]

    def test_carbonio_listings_match_paths_without_case(self):
        rows = parse_folder_rows(LISTING)
        destinations = listed_destinations(rows)
        sources = [SourceFolder("/INBOX", "/inbox", 520, "inbox")]
        [inbox] = verification(sources, destinations)
        assert (inbox.destination_folder, inbox.destination_messages) == ("/Inbox", 520)

    def test_the_fact_carries_totals(self):
        folders = verification(
            [SourceFolder("/Inbox", "INBOX", 5, "inbox")], {"INBOX": DestinationCount("INBOX", 5)}
        )
        fact = mailbox_verified(uuid.uuid4(), uuid.uuid4(), folders, expected=7)
        assert (fact.source_messages, fact.destination_messages, fact.expected_messages) == (
            5,
            5,
            7,
        )


class TestFoundPerSource:
    def test_a_shared_destination_count_is_handed_out_in_order(self):
        sources = [SourceFolder("/A", "A", 3), SourceFolder("/B", "B", 2)]
        destinations = {"A": DestinationCount("X", 4), "B": DestinationCount("X", 4)}
        assert found_per_source(sources, destinations) == {"A": 3, "B": 1}

    def test_a_lone_source_gets_the_whole_count_even_above_what_it_expects(self):
        found = found_per_source([SourceFolder("/A", "A", 3)], {"A": DestinationCount("A", 9)})
        assert found == {"A": 9}

    def test_a_source_not_at_the_destination_is_absent(self):
        assert found_per_source([SourceFolder("/A", "A", 3)], {}) == {}


class TestExcluded:
    def test_a_folder_the_job_leaves_out_is_neither_verified_nor_found(self):
        sources = [SourceFolder("/Junk", "Junk", 4), SourceFolder("/Inbox", "INBOX", 1, "inbox")]
        destinations = {
            "Junk": DestinationCount("Junk", 0, excluded=True),
            "INBOX": DestinationCount("INBOX", 1),
        }
        assert [f.destination_folder for f in verification(sources, destinations)] == ["INBOX"]
        assert found_per_source(sources, destinations) == {"INBOX": 1}
