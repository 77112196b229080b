"""The copy pace: slots spaced by 1/rate for all connections of a run; 0 = no ceiling."""

from types import SimpleNamespace

import pytest

from mailferry_imap import pace as pace_module
from mailferry_imap.pace import Pace


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock; the sleeps asked for are recorded instead of slept."""
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 6))

    monkeypatch.setattr(pace_module, "time", SimpleNamespace(monotonic=lambda: 100.0))
    monkeypatch.setattr(pace_module, "asyncio", SimpleNamespace(sleep=sleep))
    return sleeps


async def test_messages_are_spaced_by_the_inverse_of_the_rate(clock):
    pace = Pace(4.0)
    for _ in range(4):
        await pace.next()
    assert clock == [0.25, 0.5, 0.75]  # the first goes at once, each later one waits its slot


async def test_zero_means_no_ceiling(clock):
    pace = Pace(0.0)
    for _ in range(100):
        await pace.next()
    assert clock == []
