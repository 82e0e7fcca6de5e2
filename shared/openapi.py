"""The OpenAPI 3.1 description, generated from the same pydantic models that validate requests.

Entry points register each operation as they declare their route (functions/http.py), so the document
cannot drift from the routes that exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

_STATUS_TITLES = {
    400: "Malformed request",
    401: "Missing or invalid API token",
    403: "The token's role does not allow this",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Body too large",
    415: "Unsupported content type",
    422: "Validation failed",
    503: "A dependency is unavailable; retry",
}


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass
class Operation:
    method: str
    path: str  # as served, e.g. /api/jobs/{id}
    operation_id: str
    summary: str
    role: str | None
    tags: tuple[str, ...] = ()
    request_model: type[BaseModel] | None = None
    request_content: dict[str, Any] | None = None  # non-JSON bodies, e.g. {"application/pdf": {...}}
    response_model: Any = None  # a pydantic model class, or None for no JSON body
    response_content_type: str = "application/json"
    response_schema: dict[str, Any] | None = None  # a raw schema when there is no model
    response_alternatives: dict[str, Any] | None = None  # more media types of the success, e.g. a file
    status: int = 200
    query: tuple[QueryParam, ...] = ()
    errors: tuple[int, ...] = ()
    description: str = ""


class Registry:
    def __init__(self) -> None:
        self.operations: list[Operation] = []

    def add(self, operation: Operation) -> None:
        for existing in self.operations:
            if (existing.method, existing.path) == (operation.method, operation.path):
                raise ValueError(f"{operation.method} {operation.path} is declared twice")
        self.operations.append(operation)


registry = Registry()

_PATH_PARAM = re.compile(r"{(\w+)(?::[^}]*)?}")


def build_document(operations: list[Operation], title: str, version: str) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], str]] = []
    for op in operations:
        if op.request_model is not None:
            models.append((op.request_model, "validation"))
        if isinstance(op.response_model, type) and issubclass(op.response_model, BaseModel):
            models.append((op.response_model, "serialization"))
    keyed, schemas = models_json_schema(
        list(dict.fromkeys(models)), ref_template="#/components/schemas/{model}"
    )
    components = dict(schemas.get("$defs", {}))
    components["Problem"] = {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["field", "message"],
                },
            },
        },
        "required": ["type", "title", "status", "detail"],
    }
    paths: dict[str, dict[str, Any]] = {}
    for op in sorted(operations, key=lambda o: (o.path, o.method)):
        item: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": list(op.tags),
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in _PATH_PARAM.findall(op.path)
            ]
            + [
                {
                    "name": q.name,
                    "in": "query",
                    "required": q.required,
                    "description": q.description,
                    "schema": q.schema,
                }
                for q in op.query
            ],
            "responses": {},
        }
        if op.description or op.role:
            role_text = f"Requires the `{op.role}` role (or higher)." if op.role else ""
            item["description"] = " ".join(part for part in (op.description, role_text) if part)
        if op.role:
            item["security"] = [{"bearerAuth": []}]
        else:
            item["security"] = []
        if op.request_model is not None:
            ref = keyed[(op.request_model, "validation")]
            item["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref}}}
        elif op.request_content is not None:
            item["requestBody"] = {"required": True, "content": op.request_content}
        success: dict[str, Any] = {"description": "Success"}
        if isinstance(op.response_model, type) and issubclass(op.response_model, BaseModel):
            success["content"] = {
                op.response_content_type: {"schema": keyed[(op.response_model, "serialization")]}
            }
        elif op.response_schema is not None:
            success["content"] = {op.response_content_type: {"schema": op.response_schema}}
        if op.response_alternatives:
            success.setdefault("content", {}).update(op.response_alternatives)
        item["responses"][str(op.status)] = success
        codes = set(op.errors)
        if op.role:
            codes |= {401, 403}
        if op.request_model is not None:
            codes |= {400, 413, 415, 422}
        if op.query:  # a malformed query parameter (a NUL, a bad UUID or boolean) is a validation error
            codes.add(422)
        if "{" in op.path:
            codes.add(404)
        for code in sorted(codes):
            item["responses"][str(code)] = {
                "description": _STATUS_TITLES.get(code, "Error"),
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        paths.setdefault(op.path, {})[op.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "Recruiter API of Interview AI: jobs, candidates, SMS interviews, scores, dashboard.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
