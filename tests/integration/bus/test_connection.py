import subprocess
import tempfile
from pathlib import Path

import pytest

from mailferry_bus import BusSettings, NatsServerTooOldError, open_bus
from mailferry_devstack.ports import free_port, port_open, wait_until

pytestmark = pytest.mark.integration

DEBIAN_NATS = Path("/usr/sbin/nats-server")


@pytest.mark.skipif(not DEBIAN_NATS.exists(), reason="Debian's nats-server 2.9 is not installed")
async def test_a_server_older_than_2_11_is_refused_with_a_clear_message():
    port = free_port()
    with tempfile.TemporaryDirectory() as store:
        proc = subprocess.Popen(
            [str(DEBIAN_NATS), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", store],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(lambda: port_open(port), 10, "debian nats-server")
            with pytest.raises(NatsServerTooOldError, match=r"2\.9.*needs 2\.11"):
                await open_bus(BusSettings(nats_url=f"nats://127.0.0.1:{port}"), "test")
        finally:
            proc.terminate()
            proc.wait()
