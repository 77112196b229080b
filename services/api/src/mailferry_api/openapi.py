"""The OpenAPI document, with the schemas that routes reference by hand (``MailboxIn``)."""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

REF = "#/components/schemas/{model}"
IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Retries with the same key and body get the first response again",
    "schema": {"type": "string", "maxLength": 255},
}


def _declare_idempotency(schema: dict[str, Any]) -> None:
    for operations in schema.get("paths", {}).values():
        for method in ("post", "patch"):
            if method in operations:
                operations[method].setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)


def openapi_builder(app: FastAPI, extra: Sequence[type[BaseModel]]) -> Callable[[], dict[str, Any]]:
    """An ``app.openapi`` replacement adding ``extra`` models to the components."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in extra:
            model_schema = model.model_json_schema(ref_template=REF)
            components.update(model_schema.pop("$defs", {}))
            components[model.__name__] = model_schema
        _declare_idempotency(schema)
        app.openapi_schema = schema
        return schema

    return build
