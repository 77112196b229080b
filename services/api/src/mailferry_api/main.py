"""Wiring only: ``create_app(settings)`` builds the FastAPI app; the lifespan opens connections."""

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.datastructures import Headers
from starlette.types import Scope

from mailferry_api.audit import endpoints as audit_endpoints
from mailferry_api.auth import endpoints as auth_endpoints
from mailferry_api.auth import session_endpoints
from mailferry_api.auth.runtime import Security, authenticator_chain
from mailferry_api.auth.transport import is_https
from mailferry_api.credentials import endpoints as credentials_endpoints
from mailferry_api.desk import endpoints as desk_endpoints
from mailferry_api.docs import DOCS_PATH, docs_router
from mailferry_api.errors import install_error_handlers
from mailferry_api.gate import endpoints as gate_endpoints
from mailferry_api.gate import phase_endpoints as gate_phase_endpoints
from mailferry_api.health import endpoints as health_endpoints
from mailferry_api.jobs import endpoints as jobs_endpoints
from mailferry_api.logs import endpoints as logs_endpoints
from mailferry_api.mailboxes import endpoints as mailboxes_endpoints
from mailferry_api.mailboxes.json_input import MailboxIn
from mailferry_api.middleware.body_limit import BodyLimitMiddleware, LimitFor
from mailferry_api.middleware.idempotency import IdempotencyMiddleware, StoreOf
from mailferry_api.middleware.idempotency_store import IdempotencyStore
from mailferry_api.middleware.security_headers import SecurityHeadersMiddleware
from mailferry_api.middleware.url_hygiene import UrlHygieneMiddleware
from mailferry_api.openapi import openapi_builder
from mailferry_api.operations import endpoints as operations_endpoints
from mailferry_api.progress import endpoints as progress_endpoints
from mailferry_api.quarantine import endpoints as quarantine_endpoints
from mailferry_api.realtime import endpoints as realtime_endpoints
from mailferry_api.reports import endpoints as reports_endpoints
from mailferry_api.resources import Resources, open_resources
from mailferry_api.runs import endpoints as runs_endpoints
from mailferry_api.settings import ApiSettings
from mailferry_api.tokens import endpoints as tokens_endpoints
from mailferry_api.ui import endpoints as ui_endpoints
from mailferry_api.uploads import endpoints as uploads_endpoints
from mailferry_api.uploads.settings import UPLOAD_PATH
from mailferry_api.users import endpoints as users_endpoints
from mailferry_api.wizard import endpoints as wizard_endpoints
from mailferry_vault import check_vault

API_PREFIX = "/api/v1/migration"
AUTH_PREFIX = "/api/v1"
MULTIPART_SLACK = 64 * 1024
_IMPORT_PATH = re.compile(rf"^{API_PREFIX}/jobs/[^/]+/mailboxes/?$")


def api_router() -> APIRouter:
    """Every versioned route, registered explicitly."""
    router = APIRouter(prefix=API_PREFIX)
    for module in (
        auth_endpoints,
        jobs_endpoints,
        mailboxes_endpoints,
        operations_endpoints,
        runs_endpoints,
        credentials_endpoints,
        audit_endpoints,
        logs_endpoints,
        progress_endpoints,
        realtime_endpoints,
        reports_endpoints,
        gate_endpoints,
        gate_phase_endpoints,
        wizard_endpoints,
        desk_endpoints,
        uploads_endpoints,
        quarantine_endpoints,
    ):
        router.include_router(module.router)
    return router


def auth_router() -> APIRouter:
    """Login, logout, users and service tokens under ``/api/v1/auth``."""
    router = APIRouter(prefix=AUTH_PREFIX)
    for module in (session_endpoints, users_endpoints, tokens_endpoints):
        router.include_router(module.router)
    return router


def _limit_for(settings: ApiSettings) -> LimitFor:
    csv_limit = max(settings.max_body_bytes, settings.max_csv_bytes + MULTIPART_SLACK)

    def limit_for(method: str, path: str) -> int:
        if method == "POST" and _IMPORT_PATH.match(path):
            return csv_limit
        if method == "POST" and UPLOAD_PATH.match(path):
            return settings.max_upload_body_bytes
        return settings.max_body_bytes

    return limit_for


def _idempotency_store(settings: ApiSettings) -> StoreOf:
    def store_of(scope: Scope) -> IdempotencyStore | None:
        resources: Resources | None = getattr(scope["app"].state, "resources", None)
        if resources is None:
            return None
        return IdempotencyStore(resources.idempotency, settings.idempotency_pending_s)

    return store_of


def _https_of(settings: ApiSettings) -> Callable[[Scope], bool]:
    def https_of(scope: Scope) -> bool:
        peer = scope["client"][0] if scope.get("client") else None
        forwarded = Headers(scope=scope).get("x-forwarded-proto")
        return is_https(scope.get("scheme", "http"), peer, forwarded, settings.trusted_proxies)

    return https_of


def _lifespan(
    settings: ApiSettings, security: Security
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources = await open_resources(settings)
        try:
            await check_vault(resources.vault, "mailferry-api")
            await security.start(resources.bus)
        except BaseException:
            await resources.close()
            raise
        app.state.resources = resources
        try:
            yield
        finally:
            await security.stop()
            await resources.close()
            app.state.resources = None

    return lifespan


def create_app(settings: ApiSettings) -> FastAPI:
    """The API application; connections open in its lifespan."""
    security = Security(settings)
    app = FastAPI(
        title="mailferry API",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=_lifespan(settings, security),
    )
    app.state.settings = settings
    app.state.security = security
    app.state.authenticator = authenticator_chain(settings, security)
    app.state.resources = None
    install_error_handlers(app)
    app.include_router(health_endpoints.router)
    app.include_router(auth_router())
    app.include_router(api_router())
    if settings.api_docs:
        app.include_router(docs_router())
    app.include_router(ui_endpoints.router)
    app.openapi = openapi_builder(app, [MailboxIn])  # type: ignore[method-assign]
    _add_middleware(app, settings)
    return app


def _add_middleware(app: FastAPI, settings: ApiSettings) -> None:
    app.add_middleware(
        IdempotencyMiddleware,
        authenticator=app.state.authenticator,
        store_of=_idempotency_store(settings),
    )
    app.add_middleware(BodyLimitMiddleware, limit_for=_limit_for(settings))
    app.add_middleware(UrlHygieneMiddleware)
    # Outermost, so that even a 413 or a 400 from the middlewares above carries the headers.
    app.add_middleware(
        SecurityHeadersMiddleware, https_of=_https_of(settings), docs_prefix=DOCS_PATH
    )
