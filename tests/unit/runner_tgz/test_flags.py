import pytest

from mailferry_runner_tgz.flags import (
    ANSWERED,
    DELETED,
    DRAFT,
    FLAGGED,
    FORWARDED,
    MDN_SENT,
    SEEN,
    keyword_of,
    meta_flags,
    mode_flags,
    unread_of,
)
from mailferry_runner_tgz.items import ItemMeta


def meta(flag_str=None, flags=0, unread=0, tags=(), tag_ids=()):
    return ItemMeta(
        item_id=300, type=5, folder=("Inbox",), date=1, size=1, blob_digest="",
        flag_str=flag_str, flags=flags, unread=unread, tags=tags, tag_ids=tag_ids,
        name="", version=10,
    )  # fmt: skip


class TestMetaFlags:
    @pytest.mark.parametrize(
        ("flag_str", "expected"),
        [
            ("", {SEEN}),
            ("u", set()),
            ("f", {SEEN, FLAGGED}),
            ("r", {SEEN, ANSWERED}),
            ("d", {SEEN, DRAFT}),
            ("x", {SEEN, DELETED}),
            ("w", {SEEN, FORWARDED}),
            ("n", {SEEN, MDN_SENT}),
            ("ufrw", {FLAGGED, ANSWERED, FORWARDED}),
            ("sa!?*", {SEEN}),
        ],
    )
    def test_flag_str_letters(self, flag_str, expected):
        assert set(meta_flags(meta(flag_str))) == expected

    def test_without_flag_str_the_bitmask_and_unread_count_apply(self):
        bits = (1 << 2) | (1 << 3) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8)
        assert set(meta_flags(meta(None, bits, unread=1))) == {
            ANSWERED, FORWARDED, FLAGGED, DRAFT, DELETED, MDN_SENT,
        }  # fmt: skip
        assert set(meta_flags(meta(None, 0))) == {SEEN}
        assert set(meta_flags(meta(None, 1 << 9))) == set()

    def test_flag_str_wins_over_the_bitmask(self):
        assert unread_of(meta("", flags=1 << 9, unread=1)) is False

    def test_tags_become_keywords_old_ids_through_the_tag_table(self):
        assert set(meta_flags(meta("", tags=("Work",)))) == {SEEN, "Work"}
        assert set(meta_flags(meta("", tag_ids=(64, 99)), {64: "Old tag"})) == {SEEN, "Old_tag"}

    def test_the_result_is_sorted(self):
        flags = meta_flags(meta("fr", tags=("b", "a")))
        assert list(flags) == sorted(flags)


@pytest.mark.parametrize(
    ("tag", "keyword"),
    [
        ("Work", "Work"),
        ("Important Work", "Important_Work"),
        ("a(b)c{d}", "a_b_c_d}"),
        ('100% "sure"*', "100___sure__"),
        ("back\\slash]", "back_slash_"),
        ("Ärger", "_rger"),
        ("\\Seen", "_Seen"),
        ("a:b", "a:b"),
    ],
)
def test_keyword_of(tag, keyword):
    assert keyword_of(tag) == keyword


def test_mode_flags():
    assert mode_flags(unread=True) == ()
    assert mode_flags(unread=False) == (SEEN,)
