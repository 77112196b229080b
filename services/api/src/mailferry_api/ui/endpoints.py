"""The bundled dashboard: static files shipped inside the package, served by the API itself.

No CDN and no build step: plain ES modules and CSS. ``/`` sends a browser to ``/ui/``; every
file is answered with an ETag so that a reload after an upgrade fetches only what changed.
"""

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mailferry_api.auth.guard import public
from mailferry_api.errors import NotFoundError

UI_PATH = "/ui"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=256)  # bounded: the names come from requests
def _asset(name: str) -> tuple[bytes, str] | None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or path.suffix not in _TYPES:
        return None
    node = resources.files("mailferry_api.ui").joinpath("static", *path.parts)
    if not node.is_file():
        return None
    body = node.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:32]


def _serve(name: str, request: Request) -> Response:
    found = _asset(name)
    if found is None:
        raise NotFoundError(f"no such file: {name[:100]}", code="not_found")
    body, digest = found
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    media = _TYPES[PurePosixPath(name).suffix]
    return Response(body, media_type=media, headers=headers)


@router.get("/", include_in_schema=False, **public())
async def get_root() -> RedirectResponse:
    return RedirectResponse(f"{UI_PATH}/", status_code=307)


@router.get(f"{UI_PATH}/", include_in_schema=False, **public())
async def get_dashboard(request: Request) -> Response:
    return _serve("index.html", request)


@router.get(UI_PATH + "/{asset:path}", include_in_schema=False, **public())
async def get_dashboard_asset(asset: str, request: Request) -> Response:
    return _serve(asset, request)
