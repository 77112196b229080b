import pytest

from mailferry_bus import BusSettings


@pytest.fixture
def bus_settings(private_nats) -> BusSettings:
    """A NATS server of the test's own.

    A runner proves its credentials key against the vault's key-check blobs at start; on the
    session server other suites have sealed checks with keys of their own, which a runner with
    this suite's key rightly refuses. Its dispatcher also reads every job request of the log
    from the start, and other suites' requests made a retried run miss its 30 s in CI.
    """
    return BusSettings(nats_url=private_nats.url)
