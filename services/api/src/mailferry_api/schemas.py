"""HTTP models shared by several domains (not contracts: these are the API's own shapes)."""

import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from mailferry_contracts.validators import folder_map_problem, host_problem


def _nul_free(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("text contains a NUL character")
    if isinstance(value, dict):
        for key, item in value.items():
            _nul_free(key)
            _nul_free(item)
    elif isinstance(value, list):
        for item in value:
            _nul_free(item)
    return value


class RequestModel(BaseModel):
    """Request bodies are strict at the edge: unknown fields are an error, NUL is refused.

    NUL would pass through the event log and then break the projector (PostgreSQL text
    cannot hold it), so it stops here.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return _nul_free(data)


class ResponseModel(BaseModel):
    """Response bodies."""

    model_config = ConfigDict(from_attributes=True)


def _host(value: str) -> str:
    problem = host_problem(value)
    if problem:
        raise ValueError(f"host {problem}")
    return value


def _folder_map(value: dict[str, str]) -> dict[str, str]:
    problem = folder_map_problem(value)
    if problem:
        raise ValueError(f"folder map {problem}")
    return value


Host = Annotated[str, AfterValidator(_host), Field(min_length=1, max_length=253)]
FolderMap = Annotated[dict[str, str], AfterValidator(_folder_map)]


class Page(ResponseModel):
    """Paging of a list response."""

    total: int = Field(description="Rows matching the filters")
    limit: int = Field(description="Page size used")
    offset: int = Field(description="Rows skipped")


class Accepted(ResponseModel):
    """A request recorded as an event; runners pick it up from the log."""

    request_id: uuid.UUID = Field(description="Id of the request (run ids derive from it)")
    job_id: uuid.UUID = Field(description="Job")
    sequence: int = Field(description="Stream sequence of the appended event")
