"""Handlers: what arrives from the event log, translated into calls on the session."""

from typing import TYPE_CHECKING

from mailferry_gate.adapters.log_follower import Batch

if TYPE_CHECKING:
    from mailferry_gate.service import GateSession


async def on_batch(session: "GateSession", batch: Batch) -> None:
    """Fold a batch of the log; once caught up, emits GateEvaluated, PhaseChanged, GateReady."""
    for stored in batch.events:
        session.apply(stored)
    await session.after_batch(batch.drained)
