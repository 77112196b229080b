"""What the API holds open while it runs: the PostgreSQL pool, the bus, the vault, the KV."""

from dataclasses import dataclass

from nats.js.kv import KeyValue
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from mailferry_api.settings import ApiSettings
from mailferry_bus import Bus, open_bus
from mailferry_contracts import subjects
from mailferry_vault import CredentialVault

Pool = AsyncConnectionPool
"""The read-model pool; connections are autocommit and return dict rows."""


@dataclass
class Resources:
    """Open connections, created by the lifespan and closed at shutdown."""

    pool: "AsyncConnectionPool"
    bus: Bus
    vault: CredentialVault
    idempotency: KeyValue

    async def close(self) -> None:
        """Close the bus and the pool."""
        await self.bus.close()
        await self.pool.close()


def make_pool(settings: ApiSettings) -> "AsyncConnectionPool":
    """A pool that is not opened yet (``await pool.open()``)."""
    return AsyncConnectionPool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        timeout=settings.db_timeout_s,
        kwargs={"autocommit": True, "row_factory": dict_row},
        open=False,
        name="mailferry-api",
    )


async def open_resources(settings: ApiSettings) -> Resources:
    """Open the pool (without waiting: readyz reports a missing database), the bus, the vault."""
    pool = make_pool(settings)
    await pool.open(wait=False)
    try:
        bus = await open_bus(settings, "mailferry-api")
    except BaseException:
        await pool.close()
        raise
    vault = await CredentialVault.open(bus.js, settings.keyring())
    kv = await bus.js.key_value(subjects.IDEMPOTENCY_BUCKET)
    return Resources(pool=pool, bus=bus, vault=vault, idempotency=kv)
