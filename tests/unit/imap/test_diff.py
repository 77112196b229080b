from mailferry_imap.diff import DestinationMessage, SourceMessage, diff_group, flag_set


def src(key, uid=1, flags=("\\Seen",), folder="INBOX", has_id=True):
    return SourceMessage(folder, uid, flags, "01-Jan-2024 00:00:00 +0000", 100, key, has_id)


def dst(key, uid=1, flags=("\\Seen",)):
    return DestinationMessage(uid, flags, key)


class TestDiffGroup:
    def test_everything_is_missing_from_an_empty_destination(self):
        result = diff_group([src(b"a"), src(b"b", 2)], [])
        assert [m.uid for m in result.to_copy] == [1, 2]
        assert result.present == 0

    def test_a_complete_destination_needs_nothing(self):
        result = diff_group([src(b"a"), src(b"b", 2)], [dst(b"b", 9), dst(b"a", 8)])
        assert result.to_copy == []
        assert result.present == 2

    def test_the_second_identical_copy_is_copied_when_the_destination_has_one(self):
        result = diff_group([src(b"a", 1), src(b"a", 2)], [dst(b"a", 5)])
        assert [m.uid for m in result.to_copy] == [2]
        assert result.duplicates == 1

    def test_extra_destination_messages_are_left_alone(self):
        result = diff_group([src(b"a")], [dst(b"a", 1), dst(b"a", 2), dst(b"z", 3)])
        assert result.to_copy == []

    def test_merged_sources_are_summed(self):
        sent = [src(b"a", 1, folder="Sent"), src(b"b", 2, folder="Sent")]
        russian = [src(b"c", 1, folder="Отправленные")]
        result = diff_group(sent + russian, [dst(b"a")])
        assert [(m.folder, m.uid) for m in result.to_copy] == [("Sent", 2), ("Отправленные", 1)]

    def test_messages_without_message_id_are_counted(self):
        result = diff_group([src(b"a", has_id=False), src(b"b", 2)], [])
        assert result.no_message_id == 1

    def test_flags_the_copy_lacks_are_added(self):
        result = diff_group([src(b"a", flags=("\\Seen", "\\Flagged"))], [dst(b"a", 7, ("\\Seen",))])
        assert result.flag_updates == [(7, ("\\Flagged",))]

    def test_flags_are_never_taken_away_from_the_destination(self):
        result = diff_group([src(b"a", flags=())], [dst(b"a", 7, ("\\Seen", "$Label"))])
        assert result.flag_updates == []

    def test_flags_compare_without_recent_and_case(self):
        result = diff_group([src(b"a", flags=("\\SEEN", "\\Recent"))], [dst(b"a", 7, ("\\seen",))])
        assert result.flag_updates == []
        assert flag_set(["\\Recent", "$Forwarded"]) == {"$forwarded"}

    def test_flag_sync_can_be_off(self):
        result = diff_group([src(b"a")], [dst(b"a", 7, ())], sync_flags=False)
        assert result.flag_updates == []
