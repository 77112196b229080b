from mailferry_runner_pst.comparison import compare, readpst_name
from mailferry_runner_pst.counts import FolderCount, ItemKind, OutputFile, StoreCount
from mailferry_runner_pst.extraction import ExtractedFolder, ExtractedStore

MAIL, APPT, UNKNOWN = ItemKind.MAIL, ItemKind.APPOINTMENT, ItemKind.UNKNOWN
MBOX, CAL = OutputFile.MBOX, OutputFile.CALENDAR


def store(*folders: FolderCount, problems: tuple[str, ...] = ()) -> StoreCount:
    return StoreCount("Outlook", False, "unicode", False, tuple(folders), problems)


def extracted(**folders: dict[OutputFile, int]) -> ExtractedStore:
    return ExtractedStore(
        "Outlook", tuple(ExtractedFolder(tuple(p.split("/")), c) for p, c in folders.items())
    )


def folder(path: str, total: int | None, **kinds: int) -> FolderCount:
    parts = tuple(path.split("/")) if path else ()
    return FolderCount(parts, total, {ItemKind(k): n for k, n in kinds.items()})


class TestCompare:
    def test_every_mail_folder_complete_is_ok(self):
        result = compare(
            store(folder("Inbox", 8, mail=8), folder("Calendar", 1, appointment=1)),
            extracted(Inbox={MBOX: 8}, Calendar={CAL: 1}),
            include_deleted=False,
        )
        assert (result.outcome, result.lines()) == ("ok", [])

    def test_a_mail_shortfall_is_partial_with_numbers(self):
        result = compare(
            store(folder("Sent Items", 31, mail=31)), extracted(**{"Sent Items": {MBOX: 20}}), False
        )
        assert result.outcome == "partial"
        assert result.lines() == ["Sent Items: expected 31, extracted 20, missing 11"]
        assert result.missing(MAIL) == 11

    def test_a_lost_whole_folder_is_partial(self):
        result = compare(store(folder("Sent Items", 6, mail=6)), extracted(), False)
        assert result.lines() == ["Sent Items: expected 6, extracted 0, missing 6"]

    def test_a_calendar_shortfall_is_reported_but_not_partial(self):
        result = compare(store(folder("Calendar", 2, appointment=2)), extracted(), False)
        assert result.outcome == "ok"
        assert result.lines() == [
            "Calendar: expected 2 calendar items, extracted 0, missing 2 (download only)"
        ]

    def test_items_of_unreadable_type_count_as_missing_unless_extracted(self):
        lost = compare(store(folder("Sent Items", 6, unknown=6)), extracted(), False)
        found = compare(
            store(folder("Sent Items", 6, unknown=6)), extracted(**{"Sent Items": {MBOX: 6}}), False
        )
        assert lost.outcome == "partial"
        assert found.outcome == "ok"

    def test_a_folder_without_a_count_is_never_ok(self):
        result = compare(store(folder("Inbox", None)), extracted(Inbox={MBOX: 3}), False)
        assert result.outcome == "partial"

    def test_a_damaged_index_is_never_ok(self):
        result = compare(
            store(folder("Inbox", 1, mail=1), problems=("index damaged",)),
            extracted(Inbox={MBOX: 1}),
            False,
        )
        assert (result.outcome, result.lines()) == ("partial", ["index damaged"])

    def test_posts_and_distribution_lists_are_reported_not_dropped(self):
        result = compare(
            store(folder("Folder", 2, post=1, distribution_list=1)), extracted(), False
        )
        assert result.outcome == "ok"
        assert result.lines() == [
            "Folder: 1 post not importable by readpst",
            "Folder: 1 distribution list not importable by readpst",
        ]

    def test_deleted_items_and_below_are_excluded_unless_requested(self):
        count = store(folder("Deleted Items", 4, mail=4), folder("Deleted Items/old", 1, mail=1))
        skipped = compare(count, extracted(), include_deleted=False)
        included = compare(count, extracted(), include_deleted=True)
        assert skipped.outcome == "ok"
        assert skipped.lines() == [
            "Deleted Items: 4 items not extracted: Deleted Items was not requested",
            "Deleted Items/old: 1 items not extracted: Deleted Items was not requested",
        ]
        assert included.outcome == "partial"

    def test_same_named_siblings_share_one_directory(self):
        count = store(folder("Inbox", 2, mail=2), folder("Inbox", 1, mail=1))
        assert compare(count, extracted(Inbox={MBOX: 3}), False).outcome == "ok"

    def test_names_are_matched_after_readpst_sanitising(self):
        count = store(FolderCount(("Q1/Q2: plans",), 1, {MAIL: 1}))
        result = compare(count, extracted(**{"Q1_Q2_ plans": {MBOX: 1}}), False)
        assert result.outcome == "ok"
        assert result.folders[0].pst_names == ("Q1/Q2: plans",)

    def test_output_the_count_did_not_see_is_not_ok(self):
        result = compare(store(), extracted(Mystery={MBOX: 1}), False)
        assert result.outcome == "partial"


class TestReadpstName:
    def test_slash_backslash_and_colon_become_underscores(self):
        assert readpst_name("a/b\\c:d") == "a_b_c_d"
