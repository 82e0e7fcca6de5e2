"""Open endpoints: health and the OpenAPI description."""

from __future__ import annotations

import azure.durable_functions as df

from functions.http import ApiRequest, endpoint
from shared.db import DatabaseUnavailable, fetch_one
from shared.openapi import build_document, registry
from shared.schemas.tokens import Health

bp = df.Blueprint()
VERSION = "0.1.0"


@endpoint(
    bp,
    "health",
    "GET",
    role=None,
    summary="Liveness and database check",
    tags=("meta",),
    response_model=Health,
    errors=(503,),
)
def health(request: ApiRequest):
    from functions.http import json_response

    try:
        fetch_one("SELECT 1")
        return Health(status="ok", database="ok", version=VERSION)
    except DatabaseUnavailable:
        return json_response(Health(status="degraded", database="unavailable", version=VERSION), status=503)


@endpoint(
    bp,
    "openapi.json",
    "GET",
    role=None,
    summary="This API's OpenAPI description",
    tags=("meta",),
    response_schema={"type": "object"},
)
def openapi_document(request: ApiRequest) -> dict:
    return build_document(registry.operations, "Interview AI", VERSION)
