"""The interactive docs page, every asset of it served by us.

The deployment network may have no internet, and the CSP forbids inline script, so even the
init script is a file.
"""

from collections.abc import Awaitable, Callable
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from mailferry_api.auth.guard import public

DOCS_PATH = "/api/v1/docs"
# Swagger UI 5 (OpenAPI 3.1), as packaged for offline use by fastapi-offline.
_SWAGGER_UI = files("fastapi_offline") / "static"
_ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mailferry API</title>
<link rel="icon" href="/ui/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{DOCS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_PATH}/init.js"></script></body></html>
"""
_INIT = (
    'window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#swagger-ui", '
    "deepLinking: true});\n"
)


def docs_router() -> APIRouter:
    """``/api/v1/docs``, its ``init.js`` and Swagger UI's two files."""
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH, include_in_schema=False, **public())
    async def get_docs_page() -> HTMLResponse:
        return HTMLResponse(_PAGE)

    @router.get(f"{DOCS_PATH}/init.js", include_in_schema=False, **public())
    async def get_docs_init() -> Response:
        return Response(_INIT, media_type="text/javascript")

    for name, media_type in _ASSETS.items():
        router.add_api_route(
            f"{DOCS_PATH}/{name}",
            _asset(name, media_type),
            methods=["GET"],
            include_in_schema=False,
            **public(),
        )
    return router


def _asset(name: str, media_type: str) -> Callable[[], Awaitable[Response]]:
    body = (_SWAGGER_UI / name).read_bytes()

    async def get_docs_asset() -> Response:
        return Response(body, media_type=media_type, headers={"cache-control": "max-age=86400"})

    return get_docs_asset
