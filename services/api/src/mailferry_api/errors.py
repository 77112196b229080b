"""Errors carrying their HTTP status, and the handlers that render every error as JSON.

Every error body is ``{"error": code, "message": text, "details": any}``. Validation details
never echo the submitted input: it may hold a password.
"""

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from mailferry_bus import ConcurrencyConflictError

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """The JSON body of every error response."""

    error: str = Field(description="Stable machine-readable code, e.g. job_not_found")
    message: str = Field(description="What went wrong, for a person")
    details: Any = Field(default=None, description="Structured detail, e.g. per-row errors")


class ApiError(StarletteHTTPException):
    """An error with its HTTP status.

    A subclass of HTTPException so that FastAPI's body parsing lets it through: the 413 is
    raised from inside the request stream.
    """

    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=self.status, detail=message, headers=headers)
        self.message = message
        self.code = code or self.code
        self.details = details

    def body(self) -> ErrorBody:
        """The JSON body for this error."""
        return ErrorBody(error=self.code, message=self.message, details=self.details)


class UnauthenticatedError(ApiError):
    """No credentials, or credentials nobody accepts."""

    status = 401
    code = "unauthenticated"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class ForbiddenError(ApiError):
    """Authenticated, but the role lacks the permission."""

    status = 403
    code = "forbidden"


class NotFoundError(ApiError):
    """The job, mailbox or run does not exist (or is not projected yet)."""

    status = 404
    code = "not_found"


class ConflictError(ApiError):
    """The request contradicts the current state (closed job, concurrent write)."""

    status = 409
    code = "conflict"


class PayloadTooLargeError(ApiError):
    """The request body is over the configured limit."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaTypeError(ApiError):
    """The content type is not one the endpoint reads."""

    status = 415
    code = "unsupported_media_type"


class InvalidInputError(ApiError):
    """The request is well-formed but its content is invalid."""

    status = 422
    code = "invalid_input"


def _render(status: int, body: ErrorBody, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)  # noqa: S101 - registered for ApiError only
    return _render(exc.status, exc.body(), exc.headers)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it only
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    body = ErrorBody(error=code, message=str(exc.detail))
    return _render(exc.status_code, body, exc.headers)


def safe_validation_details(errors: Any) -> list[dict[str, Any]]:
    """Pydantic errors without ``input``/``ctx``/``url``: the input may carry a secret."""
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in errors
    ]


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it only
    details = safe_validation_details(exc.errors())
    body = ErrorBody(error="validation_failed", message="request is invalid", details=details)
    return _render(422, body)


async def _concurrent_write(_: Request, exc: Exception) -> JSONResponse:
    body = ErrorBody(
        error="concurrent_write",
        message="the job changed while the request was decided; nothing was written, retry",
    )
    return _render(409, body)


async def _internal(_: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    body = ErrorBody(error="internal", message="internal server error; the cause is logged")
    return _render(500, body)


def install_error_handlers(app: FastAPI) -> None:
    """Render ApiError, HTTPException, validation errors and write conflicts as ``ErrorBody``."""
    app.add_exception_handler(ConcurrencyConflictError, _concurrent_write)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal)
