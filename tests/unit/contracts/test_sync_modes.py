"""Sync modes that make no sense in a phase are refused with a reason (the API answers 409)."""

import pytest

from mailferry_contracts.common import Phase, SyncMode
from mailferry_contracts.sync_modes import sync_allowed

P = Phase

ALLOWED = [
    (P.DISCOVERED, SyncMode.INITIAL, False, True),
    (P.PREFLIGHT, SyncMode.INITIAL, False, True),
    (P.INITIAL_SYNC, SyncMode.DELTA, False, True),
    (P.DELTA_SYNC, SyncMode.DELTA, False, True),
    (P.DELTA_SYNC, SyncMode.INITIAL, False, True),
    (P.CUTOVER_READY, SyncMode.DELTA, False, True),
    (P.DNS_CUTOVER, SyncMode.FINAL, False, True),
    (P.FINAL_SYNC, SyncMode.FINAL, False, True),
    (P.VERIFIED, SyncMode.FINAL, False, True),
    (P.DISCOVERED, SyncMode.DELTA, False, False),
    (P.PREFLIGHT, SyncMode.DELTA, False, False),
    (P.DELTA_SYNC, SyncMode.FINAL, False, False),
    (P.CUTOVER_READY, SyncMode.FINAL, False, False),
    (P.DNS_CUTOVER, SyncMode.DELTA, False, False),
    (P.DNS_CUTOVER, SyncMode.INITIAL, False, False),
    (P.FAILED, SyncMode.INITIAL, False, False),
    (P.CUTOVER_READY, SyncMode.FINAL, True, True),
    (P.FAILED, SyncMode.DELTA, True, True),
    (P.CLOSED, SyncMode.FINAL, False, False),
    (P.CLOSED, SyncMode.FINAL, True, False),
]


@pytest.mark.parametrize(
    ("phase", "mode", "forced", "allowed"),
    ALLOWED,
    ids=[f"{m.value}-in-{p.value}{'-forced' if f else ''}" for p, m, f, _ in ALLOWED],
)
def test_sync_allowed(phase: Phase, mode: SyncMode, forced: bool, allowed: bool) -> None:
    permission = sync_allowed(phase, mode, forced)
    assert permission.allowed is allowed
    assert allowed or permission.reason


def test_final_before_the_cutover_says_why() -> None:
    permission = sync_allowed(P.DELTA_SYNC, SyncMode.FINAL, forced=False)
    assert permission.reason == "a final sync runs after the DNS cutover; the job is in delta_sync"
