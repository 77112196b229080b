"""Liveness and readiness probes (public)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from mailferry_api.auth.guard import public
from mailferry_api.deps import Settings, get_resources
from mailferry_api.health import queries
from mailferry_api.health.schemas import Alive, Readiness
from mailferry_api.resources import Resources
from mailferry_bus import Bus
from mailferry_contracts import subjects

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Alive, **public())
async def get_liveness() -> Alive:
    """The process is alive."""
    return Alive()


async def _stream_head(bus: Bus, ready: Readiness) -> None:
    if not ready.nats:
        ready.problems.append("nats: not connected")
        return
    try:
        info = await bus.js.stream_info(subjects.EVENTS_STREAM)
        ready.stream_last_seq = info.state.last_seq
    except Exception as exc:
        ready.problems.append(f"nats: {exc}")


async def _database(resources: Resources, ready: Readiness, wait_s: float) -> None:
    try:
        async with resources.pool.connection(timeout=wait_s) as conn:
            ready.postgres = True
            ready.missing_tables = await queries.missing_tables(conn)
            ready.read_models = not ready.missing_tables
            if ready.read_models:
                ready.projected_seq = await queries.projected_sequence(conn, subjects.EVENTS_STREAM)
    except Exception as exc:
        ready.problems.append(f"postgres: {exc}")


@router.get("/readyz", response_model=Readiness, **public())
async def get_readiness(
    resources: Annotated[Resources, Depends(get_resources)], settings: Settings, response: Response
) -> Readiness:
    """NATS connected, PostgreSQL reachable, read models present; reports projector lag."""
    bus = resources.bus
    ready = Readiness(ready=False, nats=bus.nc.is_connected, postgres=False, read_models=False)
    await _stream_head(bus, ready)
    await _database(resources, ready, settings.db_timeout_s)
    if ready.stream_last_seq is not None and ready.read_models:
        ready.projector_lag = ready.stream_last_seq - (ready.projected_seq or 0)
    ready.ready = ready.nats and ready.postgres and ready.read_models
    response.status_code = 200 if ready.ready else 503
    return ready
