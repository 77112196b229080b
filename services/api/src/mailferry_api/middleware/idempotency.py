"""``Idempotency-Key`` on POST and PATCH: the first response is kept and replayed to retries.

The key is scoped to the authenticated user, the method and the path (with query). A retry
with the same key and the same body gets the stored response (header
``Idempotency-Replayed: true``); the same key with a different body is a 422; a retry while
the first request still runs is a 409. Requests without valid credentials pass through
untouched (the route answers 401). Server errors (5xx) are not kept, so a retry runs again.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailferry_api.auth.authenticators import AuthenticatorChain
from mailferry_api.auth.principal import Principal, ServicePrincipal
from mailferry_api.errors import ApiError, ConflictError, InvalidInputError
from mailferry_api.middleware.body_hash import BodyHasher, multipart_boundary
from mailferry_api.middleware.idempotency_store import (
    Claimed,
    IdempotencyStore,
    InProgress,
    StoredResponse,
    idempotency_key,
)

log = logging.getLogger(__name__)
HEADER = "idempotency-key"
MAX_KEY = 255
MAX_CAPTURE = 8 * 1024 * 1024
METHODS = frozenset({"POST", "PATCH"})
StoreOf = Callable[[Scope], IdempotencyStore | None]


@dataclass
class _Exchange:
    """What passed through: the request body's hash and the response."""

    digest: BodyHasher
    body_complete: bool = False
    status: int = 0
    content_type: str = "application/json"
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0

    def stored(self) -> StoredResponse | None:
        if not self.body_complete or self.status >= 500 or self.size > MAX_CAPTURE:  # noqa: PLR2004
            return None
        body = b"".join(self.chunks)
        return StoredResponse(self.status, self.content_type, body, self.digest.hexdigest())


def _error(error: ApiError) -> Response:
    return JSONResponse(error.body().model_dump(mode="json"), status_code=error.status)


async def _body_digest(receive: Receive, digest: BodyHasher) -> str:
    while True:
        message = await receive()
        digest.update(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return digest.hexdigest()


def _replay(stored: StoredResponse) -> Response:
    return Response(
        stored.body,
        status_code=stored.status,
        media_type=stored.content_type,
        headers={"Idempotency-Replayed": "true"},
    )


class IdempotencyMiddleware:
    """ASGI middleware implementing Idempotency-Key over the KV bucket."""

    def __init__(self, app: ASGIApp, authenticator: AuthenticatorChain, store_of: StoreOf) -> None:
        self.app = app
        self.authenticator = authenticator
        self.store_of = store_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = Headers(scope=scope).get(HEADER) if scope["type"] == "http" else None
        store = self.store_of(scope) if header is not None else None
        if header is None or store is None or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        principal = await self.authenticator.identify(Headers(scope=scope))
        if not isinstance(principal, Principal | ServicePrincipal):
            await self.app(scope, receive, send)
            return
        if not 0 < len(header) <= MAX_KEY or not header.isprintable():
            bad = InvalidInputError(f"Idempotency-Key must be 1-{MAX_KEY} printable characters")
            await _error(bad)(scope, receive, send)
            return
        path = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        key = idempotency_key(principal.user, scope["method"], path, header)
        await self._with_key(store, key, scope, receive, send)

    async def _with_key(
        self, store: IdempotencyStore, key: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        claim = await store.claim(key)
        if isinstance(claim, InProgress):
            busy = ConflictError(
                "a request with this Idempotency-Key is still running", code="idempotency_busy"
            )
            await _error(busy)(scope, receive, send)
        elif isinstance(claim, StoredResponse):
            await self._replay_or_refuse(claim, scope, receive, send)
        else:
            await self._first(store, key, claim, scope, receive, send)

    async def _replay_or_refuse(
        self, stored: StoredResponse, scope: Scope, receive: Receive, send: Send
    ) -> None:
        hasher = BodyHasher(multipart_boundary(Headers(scope=scope)))
        if await _body_digest(receive, hasher) != stored.body_sha256:
            reused = InvalidInputError(
                "this Idempotency-Key was used with a different request body",
                code="idempotency_key_reused",
            )
            await _error(reused)(scope, receive, send)
            return
        await _replay(stored)(scope, receive, send)

    async def _first(
        self, store: IdempotencyStore, key: str, claim: Claimed, scope: Scope,
        receive: Receive, send: Send,
    ) -> None:  # fmt: skip
        exchange = _Exchange(BodyHasher(multipart_boundary(Headers(scope=scope))))

        async def hashing_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                exchange.digest.update(message.get("body", b""))
                exchange.body_complete = not message.get("more_body", False)
            return message

        async def capturing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not exchange.body_complete:
                # The route did not read the whole body; hash the rest while it can still be
                # read (servers stop delivering the body once the response has started).
                while not exchange.body_complete:
                    if (await hashing_receive())["type"] != "http.request":
                        break
            _capture(exchange, message)
            await send(message)

        try:
            await self.app(scope, hashing_receive, capturing_send)
        except BaseException:
            await store.release(key, claim)
            raise
        await _finish(store, key, claim, exchange)


def _capture(exchange: _Exchange, message: Message) -> None:
    if message["type"] == "http.response.start":
        exchange.status = message["status"]
        headers = Headers(raw=message.get("headers", []))
        exchange.content_type = headers.get("content-type", exchange.content_type)
    elif message["type"] == "http.response.body":
        body = message.get("body", b"")
        exchange.size += len(body)
        if exchange.size <= MAX_CAPTURE:
            exchange.chunks.append(body)


async def _finish(store: IdempotencyStore, key: str, claim: Claimed, exchange: _Exchange) -> None:
    stored = exchange.stored()
    try:
        if stored is None:
            await store.release(key, claim)
        elif not await store.complete(key, claim, stored):
            log.info("response too large to keep for Idempotency-Key replay")
    except Exception:
        log.exception("could not record an Idempotency-Key response")
