"""HTTP models of the probes."""

from pydantic import Field

from mailferry_api.schemas import ResponseModel


class Alive(ResponseModel):
    """The process answers."""

    status: str = "ok"


class Readiness(ResponseModel):
    """Whether the API can serve, and how far the read models trail the log."""

    ready: bool
    nats: bool = Field(description="Connected to NATS")
    postgres: bool = Field(description="PostgreSQL answers")
    read_models: bool = Field(description="Read-model tables exist")
    missing_tables: list[str] = Field(default_factory=list)
    stream_last_seq: int | None = Field(default=None, description="Event log head")
    projected_seq: int | None = Field(default=None, description="Slowest projection position")
    projector_lag: int | None = Field(default=None, description="Events not yet projected")
    problems: list[str] = Field(default_factory=list)
