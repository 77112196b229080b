"""A service's connection to the bus: NATS client, JetStream context, event store, topology."""

from dataclasses import dataclass

from nats.aio.client import Client
from nats.js import JetStreamContext

from mailferry_bus.connection import connect
from mailferry_bus.event_store import EventStore
from mailferry_bus.settings import BusSettings
from mailferry_bus.topology import ensure_topology


@dataclass
class Bus:
    """Open connection plus the event store on top of it."""

    nc: Client
    js: JetStreamContext
    events: EventStore

    async def close(self) -> None:
        """Flush and close the connection."""
        if not self.nc.is_closed:
            await self.nc.drain()


async def open_bus(settings: BusSettings, name: str, *, ensure: bool = True) -> Bus:
    """Connect (refusing servers older than 2.11) and, by default, ensure the topology."""
    nc = await connect(settings.nats_url, name)
    js = nc.jetstream(timeout=10.0)
    if ensure:
        await ensure_topology(js, settings)
    return Bus(nc=nc, js=js, events=EventStore(nc, js))
