from mailferry_imap.listing import MailboxStatus
from mailferry_imap.state import FolderSnapshot, GroupState, SyncState, fingerprint


def snapshot(raw="INBOX", uidnext=10, messages=9, modseq=None):
    status = MailboxStatus(messages=messages, uidnext=uidnext, uidvalidity=1, highestmodseq=modseq)
    return FolderSnapshot.of(raw, status)


class TestSyncState:
    def test_a_group_is_unchanged_only_when_every_snapshot_is_equal(self):
        state = SyncState(fingerprint="f")
        state.groups["INBOX"] = GroupState(sources=(snapshot(),), destination=snapshot())
        assert state.unchanged("INBOX", GroupState(sources=(snapshot(),), destination=snapshot()))
        moved = GroupState(sources=(snapshot(uidnext=11, messages=10),), destination=snapshot())
        assert not state.unchanged("INBOX", moved)
        flagged = GroupState(sources=(snapshot(modseq=5),), destination=snapshot())
        assert not state.unchanged("INBOX", flagged)

    def test_round_trip(self):
        state = SyncState(fingerprint="f")
        state.groups["INBOX"] = GroupState(sources=(snapshot(),), destination=snapshot())
        assert SyncState.from_bytes(state.to_bytes(), "f") == state

    def test_state_of_other_endpoints_or_rules_is_ignored(self):
        state = SyncState(fingerprint="f")
        state.groups["INBOX"] = GroupState(sources=(snapshot(),), destination=snapshot())
        assert SyncState.from_bytes(state.to_bytes(), "g").groups == {}

    def test_unreadable_state_is_ignored(self):
        assert SyncState.from_bytes(b"{not json", "f").groups == {}

    def test_incomplete_status_gives_no_snapshot(self):
        assert FolderSnapshot.of("INBOX", MailboxStatus(messages=3)) is None

    def test_fingerprint_is_stable(self):
        assert fingerprint("h", 1, ("a",)) == fingerprint("h", 1, ("a",))
        assert fingerprint("h", 1) != fingerprint("h", 2)
