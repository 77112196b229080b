import pytest

from mailferry_imap.listing import ListEntry, Namespace
from mailferry_imap.mapping import (
    FolderRules,
    destination_name,
    matches,
    plan_folders,
    source_path,
)
from mailferry_imap.utf7 import encode_mutf7

SLASH = Namespace(prefix="", delimiter="/")
COURIER = Namespace(prefix="INBOX.", delimiter=".")


def entry(name, delimiter="/", *flags):
    raw = "INBOX" if name == "INBOX" else encode_mutf7(name)
    return ListEntry(raw=raw, name=name, delimiter=delimiter, flags=frozenset(flags))


PLAIN_SOURCE = [
    entry("INBOX"),
    entry("Sent", "/", "\\sent"),
    entry("Trash", "/", "\\trash"),
    entry("Junk", "/", "\\junk"),
    entry("Drafts", "/", "\\drafts"),
    entry("Отправленные"),
    entry("Archive"),
    entry("Archive/2024"),
    entry("Sent/2023"),
    entry("Lists", "/", "\\noselect"),
    entry("Lists/debian.devel"),
]
EXCHANGE = [
    entry("INBOX"),
    entry("Sent Items", "/", "\\sent"),
    entry("Deleted Items", "/", "\\trash"),
    entry("Junk E-mail", "/", "\\junk"),
    entry("Drafts", "/", "\\drafts"),
]


def mapping(source=PLAIN_SOURCE, src_ns=SLASH, destination=EXCHANGE, dst_ns=SLASH, **rules):
    plan = plan_folders(source, src_ns, destination, dst_ns, FolderRules(**rules))
    return {folder.path: (folder.destination, folder.how) for folder in plan.folders}, plan


class TestAutomap:
    def test_special_use_folders_go_to_the_destinations_special_use_folders(self):
        result, _ = mapping()
        assert result["Sent"] == ("Sent Items", "special-use")
        assert result["Trash"] == ("Deleted Items", "special-use")
        assert result["Junk"] == ("Junk E-mail", "special-use")
        assert result["Drafts"] == ("Drafts", "special-use")
        assert result["INBOX"] == ("INBOX", "inbox")

    def test_a_second_sent_folder_by_name_is_merged_into_the_same_destination(self):
        result, plan = mapping()
        assert result["Отправленные"] == ("Sent Items", "name")
        merged = plan.groups()[encode_mutf7("Sent Items")]
        assert [f.path for f in merged] == ["Sent", "Отправленные"]

    def test_subfolders_follow_their_mapped_parent(self):
        result, _ = mapping()
        assert result["Sent/2023"] == ("Sent Items/2023", "special-use")

    def test_other_folders_keep_their_name_and_noselect_ones_are_left_out(self):
        result, _ = mapping()
        assert result["Archive/2024"] == ("Archive/2024", "same")
        assert "Lists" not in result
        assert result["Lists/debian.devel"] == ("Lists/debian.devel", "same")

    def test_a_destination_without_special_use_is_matched_by_name(self):
        destination = [entry("INBOX"), entry("Gesendete Elemente"), entry("Papierkorb")]
        result, _ = mapping(destination=destination)
        assert result["Sent"] == ("Gesendete Elemente", "special-use")
        assert result["Trash"] == ("Papierkorb", "special-use")

    def test_automap_off_keeps_names(self):
        result, _ = mapping(automap=False)
        assert result["Sent"] == ("Sent", "same")

    def test_existing_destination_folders_keep_their_raw_name(self):
        _, plan = mapping()
        sent = next(f for f in plan.folders if f.path == "Sent")
        assert sent.destination_raw == "Sent Items"

    def test_roles_for_verification(self):
        _, plan = mapping()
        roles = {f.path: f.role for f in plan.folders}
        assert roles["INBOX"] == "inbox"
        assert roles["Sent"] == "sent"
        assert roles["Отправленные"] == "sent"
        assert roles["Sent/2023"] is None


class TestNamespaces:
    def test_courier_source_loses_its_prefix_and_separator(self):
        source = [
            entry("INBOX", "."),
            entry("INBOX.Sent", ".", "\\sent"),
            entry("INBOX.Archive.2024", "."),
            entry("INBOX.Entrées.Été", "."),
        ]
        result, _ = mapping(source=source, src_ns=COURIER)
        assert result == {
            "INBOX": ("INBOX", "inbox"),
            "Sent": ("Sent Items", "special-use"),
            "Archive/2024": ("Archive/2024", "same"),
            "Entrées/Été": ("Entrées/Été", "same"),
        }

    def test_slash_source_into_courier_destination(self):
        destination = [entry("INBOX", "."), entry("INBOX.Sent Items", ".", "\\sent")]
        result, plan = mapping(destination=destination, dst_ns=COURIER)
        assert result["Sent"] == ("INBOX.Sent Items", "special-use")
        assert result["Archive/2024"] == ("INBOX.Archive.2024", "same")
        assert result["Lists/debian.devel"] == ("INBOX.Lists.debian_devel", "same")
        folder = next(f for f in plan.folders if f.path == "Отправленные")
        assert folder.destination_raw == "INBOX.Sent Items"

    @pytest.mark.parametrize(
        ("parts", "namespace", "expected"),
        [
            (["INBOX"], COURIER, "INBOX"),
            (["INBOX", "Sub"], COURIER, "INBOX.Sub"),
            (["INBOX", "Sub"], SLASH, "INBOX/Sub"),
            (["a.b", "c"], COURIER, "INBOX.a_b.c"),
            (["a/b"], SLASH, "a_b"),
        ],
    )
    def test_destination_name(self, parts, namespace, expected):
        assert destination_name(parts, namespace) == expected

    def test_source_path_of_inbox_in_any_case(self):
        assert source_path(entry("inbox", "."), COURIER) == ["INBOX"]


class TestRules:
    def test_explicit_map_wins_over_automap_and_covers_subfolders(self):
        result, _ = mapping(folder_map={"Sent": "Old Sent", "Archive": "Archives/Old"})
        assert result["Sent"] == ("Old Sent", "map")
        assert result["Sent/2023"] == ("Old Sent/2023", "map")
        assert result["Archive/2024"] == ("Archives/Old/2024", "map")

    def test_the_longest_map_key_wins(self):
        result, _ = mapping(folder_map={"Archive": "A", "Archive/2024": "Y2024"})
        assert result["Archive/2024"] == ("Y2024", "map")

    def test_map_values_may_carry_the_destination_prefix(self):
        destination = [entry("INBOX", ".")]
        result, _ = mapping(
            destination=destination, dst_ns=COURIER, folder_map={"Junk": "INBOX.Spam"}
        )
        assert result["Junk"] == ("INBOX.Spam", "map")

    def test_excluding_a_folder_excludes_its_subfolders(self):
        result, plan = mapping(exclude=["Sent", "Lists/.*"])
        assert "Sent" not in result
        assert "Sent/2023" not in result
        assert "Lists/debian.devel" not in result
        assert "Sent/2023" in plan.excluded

    def test_includes_keep_only_matching_folders(self):
        result, _ = mapping(include=["INBOX", "Archive"])
        assert sorted(result) == ["Archive", "Archive/2024", "INBOX"]

    @pytest.mark.parametrize(
        ("pattern", "path", "expected"),
        [
            ("Trash", "Trash", True),
            ("Trash", "Trash/Old", True),
            ("Trash", "Trashcan", False),
            ("Arch.*", "Archive/2024", True),
            ("[", "[", True),
            ("[", "[x", False),
        ],
        ids=["exact", "subtree", "prefix-only", "regex", "bad-regex-literal", "bad-regex-other"],
    )
    def test_matches(self, pattern, path, expected):
        assert matches(pattern, path, path) is expected
