"""The JSON of the live updates (pure). Field names are the dashboard's contract with the API."""

from datetime import datetime
from typing import Any

from mailferry_api.progress.totals import Reported, is_active, job_totals
from mailferry_api.realtime.coalesce import Batch
from mailferry_api.realtime.signals import ProgressSignal

ACTIVE_WINDOW_S = 30.0
"""A report older than this is not counted in the current rate (as in ``jobs/{id}/progress``)."""


def progress_item(signal: ProgressSignal) -> dict[str, Any]:
    """One mailbox's latest progress."""
    p = signal.progress
    return {
        "mailbox_id": str(p.mailbox_id),
        "run_id": str(p.run_id),
        "run_type": p.run_type.value,
        "folder": p.folder,
        "percent": round(p.percent, 2),
        "messages_done": p.messages_done,
        "messages_total": p.messages_total,
        "rate_messages": round(p.rate_messages, 2),
        "eta_seconds": p.eta_seconds,
        "at": signal.at.isoformat(),
    }


def totals(latest: dict[str, Reported], now: datetime) -> dict[str, Any]:
    """A job's totals from the latest report of each of its mailboxes."""
    t = job_totals(list(latest.values()), now, ACTIVE_WINDOW_S)
    return {
        "mailboxes": t.mailboxes,
        "active": t.active,
        "messages_done": t.messages_done,
        "messages_total": t.messages_total,
        "percent": round(t.percent, 2),
        "rate_messages": round(t.rate_messages, 2),
        "eta_seconds": t.eta_seconds,
    }


def active_items(latest: dict[str, Reported], now: datetime) -> list[dict[str, Any]]:
    """The mailboxes at work now (what a page that just opened needs to draw its bars)."""
    return [
        progress_item(ProgressSignal(r.progress, r.at))
        for r in latest.values()
        if is_active(r, now, ACTIVE_WINDOW_S)
    ]


def job_update(batch: Batch, latest: dict[str, Reported], now: datetime) -> dict[str, Any]:
    """An update of the job page."""
    changed = sorted({kind for kinds in batch.changed.values() for kind in kinds})
    return {
        "position": batch.position or None,
        "changed": changed,
        "progress": [progress_item(p) for p in batch.progress],
        "totals": totals(latest, now) if batch.progress else None,
    }
