"""The interactive docs page, with its init script served by us (the CSP forbids inline)."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from mailferry_api.auth.guard import public

DOCS_PATH = "/api/v1/docs"
_CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mailferry API</title>
<link rel="stylesheet" href="{_CDN}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{_CDN}/swagger-ui-bundle.js"></script>
<script src="{DOCS_PATH}/init.js"></script></body></html>
"""
_INIT = (
    'window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#swagger-ui", '
    "deepLinking: true});\n"
)


def docs_router() -> APIRouter:
    """``/api/v1/docs`` and its ``init.js``."""
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH, include_in_schema=False, **public())
    async def get_docs_page() -> HTMLResponse:
        return HTMLResponse(_PAGE)

    @router.get(f"{DOCS_PATH}/init.js", include_in_schema=False, **public())
    async def get_docs_init() -> Response:
        return Response(_INIT, media_type="text/javascript")

    return router
