"""Which sync modes make sense in which phase: a domain rule the API and the gate both apply.

The API refuses a ``POST jobs/{id}/sync`` that breaks it (409 with the reason); the gate uses
the same phase sets to read the job's progress. Pure: no I/O, no clock.
"""

from dataclasses import dataclass

from mailferry_contracts.common import Phase, SyncMode

BEFORE_DNS = frozenset(
    {Phase.DISCOVERED, Phase.PREFLIGHT, Phase.INITIAL_SYNC, Phase.DELTA_SYNC, Phase.CUTOVER_READY}
)
"""The phases in which the domain's MX still points at the source."""


@dataclass(frozen=True)
class SyncPermission:
    """Whether a sync mode may be requested in a phase, and why not."""

    allowed: bool
    reason: str = ""


_MODES_ALLOWED = {
    SyncMode.INITIAL: BEFORE_DNS,
    SyncMode.DELTA: frozenset({Phase.INITIAL_SYNC, Phase.DELTA_SYNC, Phase.CUTOVER_READY}),
    SyncMode.FINAL: frozenset({Phase.DNS_CUTOVER, Phase.FINAL_SYNC, Phase.VERIFIED}),
}


def sync_allowed(phase: Phase, mode: SyncMode, forced: bool) -> SyncPermission:
    """Whether ``POST jobs/{id}/sync`` with ``mode`` makes sense now (else the API answers 409).

    ``forced`` (a super admin's choice) allows any mode, except on a closed job.
    """
    if phase == Phase.CLOSED:
        return SyncPermission(False, "the job is closed")
    if phase in _MODES_ALLOWED[mode]:
        return SyncPermission(True)
    if forced:
        return SyncPermission(True, f"{mode.value} sync in phase {phase.value}, forced")
    return SyncPermission(False, _refusal(phase, mode))


def _refusal(phase: Phase, mode: SyncMode) -> str:
    if phase == Phase.FAILED:
        return "the job failed: retry the phase first"
    if mode == SyncMode.FINAL:
        return f"a final sync runs after the DNS cutover; the job is in {phase.value}"
    if phase not in BEFORE_DNS:
        return f"DNS already points at the destination (phase {phase.value}): run a final sync"
    return f"a delta sync needs a completed initial sync; the job is in {phase.value}"
