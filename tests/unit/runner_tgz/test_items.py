"""The .meta JSON: real entries from Zimbra's file, Path rules, tags, versions, bad input."""

import json

import pytest

from mailferry_runner_tgz.bencode import BencodeError, decode
from mailferry_runner_tgz.items import ItemType, MetaError, folder_view, parse_meta, split_tag_names

# Verbatim from zimbra-zm-mailbox-Truncated.tgz (FORMAT.md).
REAL_FOLDER = (
    b'{"tags":0,"flags":0,"subject":"Emailed Contacts","change_date":1367339176,"unread":0,'
    b'"index_id":0,"type":1,"imap_id":-1,"date":1367339176,"Path":"/Emailed Contacts",'
    b'"size":258,"sender":"","id":13,"Ver":10,"folder_id":1,"FlagStr":"","volume_id":0,'
    b'"TagStr":"","mod_metadata":1,"mod_content":1,"name":"Emailed Contacts","TagNames":"",'
    b'"metadata":"d1:ai1e4:mseqi690630e4:unxti136751e1:vi10e2:vti6ee","parent_id":1}'
)
REAL_CONTACT = (
    b'{"tags":0,"flags":0,"change_date":1367339178,"unread":0,"index_id":0,"type":6,'
    b'"imap_id":258,"date":1367339178,"Path":"/Emailed Contacts/","size":0,"sender":"christine",'
    b'"id":258,"Ver":10,"folder_id":13,"FlagStr":"","volume_id":0,"TagStr":"","mod_metadata":3,'
    b'"mod_content":3,"TagNames":"","parent_id":-1,'
    b'"metadata":"d3:fldd5:email20:christine@nccumc.org9:firstName9:christinee1:vi10ee"}'
)


def meta(**fields):
    base = {"id": 300, "type": 5, "Path": "/Inbox/", "date": 1, "size": 3, "Ver": 10}
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not None}).encode()


class TestParseMeta:
    def test_a_real_folder_meta(self):
        folder = parse_meta(REAL_FOLDER)
        assert (folder.item_type, folder.item_id, folder.folder) == (
            ItemType.FOLDER,
            13,
            ("Emailed Contacts",),
        )
        assert (folder.view, folder.name, folder.date) == (
            ItemType.CONTACT,
            "Emailed Contacts",
            1367339176,
        )

    def test_a_real_contact_meta_sits_in_its_folder(self):
        contact = parse_meta(REAL_CONTACT)
        assert (contact.item_type, contact.folder, contact.view) == (
            ItemType.CONTACT,
            ("Emailed Contacts",),
            None,
        )
        assert contact.flag_str == ""

    @pytest.mark.parametrize(
        ("path", "item_type", "folder"),
        [
            ("/Inbox/", 5, ("Inbox",)),
            ("/Inbox", 5, ("Inbox",)),
            ("/Inbox/Sub/", 5, ("Inbox", "Sub")),
            ("/", 5, ()),
            ("/Briefcase/report.pdf", 8, ("Briefcase",)),
            ("/Notebook/Page", 14, ("Notebook",)),
            ("/Inbox/Sub", 1, ("Inbox", "Sub")),
        ],
    )
    def test_the_folder_comes_from_path(self, path, item_type, folder):
        assert parse_meta(meta(Path=path, type=item_type)).folder == folder

    def test_flag_str_absent_is_none_and_present_empty_is_empty(self):
        assert parse_meta(meta(FlagStr=None)).flag_str is None
        assert parse_meta(meta(FlagStr="")).flag_str == ""

    def test_tags_by_name_old_ids_and_606_names(self):
        assert parse_meta(meta(TagNames="a\\\\b:c\\:d")).tags == ("a\\b", "c:d")
        assert parse_meta(meta(TagStr="64,65")).tag_ids == (64, 65)
        assert parse_meta(meta(TagStr=":one:two")).tags == ("one", "two")

    def test_a_newer_version_is_read_but_marked(self):
        assert parse_meta(meta(Ver=11)).version == 11

    @pytest.mark.parametrize(
        "raw",
        [b"{nope", b"[1, 2]", meta(type=None), meta(Path=None), meta(date="yesterday"), b"\xff"],
        ids=["not json", "not an object", "no type", "no path", "date text", "not utf8"],
    )
    def test_unusable_metas_are_invalid_format(self, raw):
        with pytest.raises(MetaError) as caught:
            parse_meta(raw)
        assert caught.value.code == "INVALID_FORMAT"


class TestTagNames:
    @pytest.mark.parametrize(
        ("serialized", "names"),
        [
            ("", ()),
            ("one", ("one",)),
            ("one:two", ("one", "two")),
            ("a\\:b", ("a:b",)),
            ("a\\\\b", ("a\\b",)),
            ("a\\\\:b", ("a\\", "b")),
            (":x::y:", ("x", "y")),
        ],
    )
    def test_split(self, serialized, names):
        assert split_tag_names(serialized) == names


class TestBencode:
    def test_real_contact_metadata(self):
        assert decode("d3:fldd5:email20:christine@nccumc.org9:firstName9:christinee1:vi10ee") == {
            "fld": {"email": "christine@nccumc.org", "firstName": "christine"},
            "v": 10,
        }

    def test_lists_and_negative_numbers(self):
        assert decode("l3:abci-2ee") == ["abc", -2]

    @pytest.mark.parametrize("text", ["d1:a", "i1", "5:ab", "x", "d1:ai1ee?"])
    def test_malformed(self, text):
        with pytest.raises(BencodeError):
            decode(text)

    def test_folder_view_tolerates_garbage(self):
        assert folder_view("d2:vti11ee") == ItemType.APPOINTMENT
        assert folder_view("garbage") is None
        assert folder_view("") is None
        assert folder_view("d2:vt3:abce") is None
