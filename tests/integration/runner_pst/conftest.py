import shutil
from pathlib import Path

import pytest

from mailferry_bus import BusSettings
from mailferry_runner_pst.main import create_app
from mailferry_vault import CredentialVault, KeyRing

from .runner import KEY, runner_settings

PST_DATA = Path(__file__).resolve().parents[2] / "data" / "pst"


def pst(name: str) -> Path:
    return PST_DATA / name


@pytest.fixture(scope="session")
def readpst_bin() -> str:
    found = shutil.which("readpst")
    if found is None:
        pytest.fail("readpst (Debian pst-utils) is required: scripts/bootstrap.sh installs it")
    return found


@pytest.fixture
def bus_settings(private_nats) -> BusSettings:
    """A NATS server of the test's own.

    runner-pst's dispatcher reads every job request of the log from the start; on the session
    server that is every other suite's requests too, and working through them first made
    these tests wait for minutes.
    """
    return BusSettings(nats_url=private_nats.url)


@pytest.fixture
async def vault(bus):
    return await CredentialVault.open(bus.js, KeyRing.parse(KEY, "MIGRATION_CREDENTIALS_KEY"))


@pytest.fixture
async def runner_app(bus_settings, tmp_path, readpst_bin):
    app = create_app(runner_settings(bus_settings.nats_url, tmp_path / "data"))
    await app.start()
    yield app
    await app.stop()
