"""What every recruiter endpoint shares: authentication, body parsing, problem+json errors, OpenAPI entry.

`endpoint(...)` declares a route once: it registers the Azure Functions HTTP trigger on a blueprint and the
operation in the OpenAPI registry, and wraps the handler so that services' errors become problem+json.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import azure.functions as func
from pydantic import BaseModel, ValidationError

from shared.auth import Principal, authenticate
from shared.data.pagination import parse_limit
from shared.db import DatabaseUnavailable
from shared.errors import (
    AppError,
    BadRequest,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
    validation_errors_from_pydantic,
)
from shared.openapi import Operation, QueryParam, registry
from shared.settings import get_settings

log = logging.getLogger("api")

JSON_BODY_LIMIT = 1024 * 1024
# PostgreSQL text cannot store NUL; refused up front rather than failing in the database with a 500.
NUL_MESSAGE = "must not contain NUL (U+0000) characters"
M = TypeVar("M", bound=BaseModel)


@dataclass
class ApiRequest:
    req: func.HttpRequest
    principal: Principal | None
    client: Any = None  # the durable orchestration client, for endpoints that declare one

    def uuid_param(self, name: str = "id") -> UUID:
        raw = self.req.route_params.get(name, "")
        try:
            return UUID(raw)
        except ValueError:
            raise NotFound(f"no resource with id {raw!r}") from None

    def query(self, name: str) -> str | None:
        value = self.req.params.get(name)
        if value and "\x00" in value:
            raise ValidationFailed.single(name, NUL_MESSAGE)
        return value if value not in (None, "") else None

    def query_uuid(self, name: str) -> UUID | None:
        raw = self.query(name)
        if raw is None:
            return None
        try:
            return UUID(raw)
        except ValueError:
            raise ValidationFailed.single(name, "must be a UUID") from None

    def query_bool(self, name: str) -> bool:
        raw = (self.query(name) or "false").lower()
        if raw not in ("true", "false", "1", "0"):
            raise ValidationFailed.single(name, "must be true or false")
        return raw in ("true", "1")

    @property
    def limit(self) -> int:
        return parse_limit(self.req.params.get("limit"))

    @property
    def cursor(self) -> str | None:
        return self.query("cursor")

    def json(self, model: type[M]) -> M:
        """The body as `model`: 415 unless JSON, 413 when too large, 400 when malformed, 422 when invalid."""
        content_type = (self.req.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType("send the body as application/json")
        declared = self.req.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > JSON_BODY_LIMIT:
            raise PayloadTooLarge(f"the body is larger than {JSON_BODY_LIMIT} bytes")
        body = self.req.get_body() or b""
        if len(body) > JSON_BODY_LIMIT:
            raise PayloadTooLarge(f"the body is larger than {JSON_BODY_LIMIT} bytes")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"the body is not valid JSON: {exc}") from None
        except RecursionError:
            raise BadRequest("the body is nested too deeply") from None
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object")
        if fields := list(_fields_with_nul(data)):
            raise ValidationFailed([{"field": field, "message": NUL_MESSAGE} for field in fields])
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise validation_errors_from_pydantic(exc) from None


def _fields_with_nul(document: Any) -> Iterator[str]:
    """Dotted paths of the strings (keys included) in a JSON document that hold a NUL character. Walks
    without recursion: a document nested as deep as the parser allows must not overflow the stack here."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                yield path or "body"
        elif isinstance(value, dict):
            children = []
            for key, item in value.items():
                child = f"{path}.{key}" if path else key
                if "\x00" in key:
                    yield child
                children.append((child, item))
            pending.extend(reversed(children))  # so they are popped in document order
        elif isinstance(value, list):
            children = [(f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value)]
            pending.extend(reversed(children))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> func.HttpResponse:
    if isinstance(body, BaseModel):
        payload = body.model_dump_json()
    else:
        payload = json.dumps(body, default=str)
    return func.HttpResponse(payload, status_code=status, mimetype="application/json", headers=headers)


def problem_response(error: AppError, instance: str | None = None) -> func.HttpResponse:
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="interview-ai"'
    if error.status == 503:
        headers["Retry-After"] = "5"
    return func.HttpResponse(
        json.dumps(error.problem(instance), default=str),
        status_code=error.status,
        headers=headers,
        mimetype="application/problem+json",
    )


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def error_response(req: func.HttpRequest, exc: Exception) -> func.HttpResponse:
    """Map any exception to problem+json: services' errors keep their status, the rest is logged."""
    instance = _path_of(req.url)
    if isinstance(exc, AppError):
        return problem_response(exc, instance)
    if isinstance(exc, DatabaseUnavailable):
        log.warning("database unavailable while serving %s %s", req.method, instance)
        return problem_response(ServiceUnavailable("the database is unavailable; retry shortly"), instance)
    log.error("unhandled error serving %s %s", req.method, instance, exc_info=exc)
    return problem_response(AppError("an unexpected error occurred; it has been logged"), instance)


def _to_response(result: Any, status: int) -> func.HttpResponse:
    if isinstance(result, func.HttpResponse):
        return result
    if result is None:
        return func.HttpResponse(status_code=204 if status == 200 else status)
    return json_response(result, status)


def _principal(req: func.HttpRequest, role: str | None) -> Principal | None:
    if role is None:
        return None
    principal = authenticate(req.headers.get("authorization"), get_settings().admin_token)
    principal.require(role)
    return principal


PAGINATION = (
    QueryParam("limit", "Page size, 1-200 (default 50).", {"type": "integer", "minimum": 1, "maximum": 200}),
    QueryParam("cursor", "The next_cursor of the previous page."),
)


def endpoint(
    bp: Any,
    route: str,
    method: str,
    *,
    role: str | None,
    summary: str,
    tags: tuple[str, ...] = (),
    request_model: type[BaseModel] | None = None,
    request_content: dict[str, Any] | None = None,
    response_model: Any = None,
    response_schema: dict[str, Any] | None = None,
    response_content_type: str = "application/json",
    response_alternatives: dict[str, Any] | None = None,
    status: int = 200,
    query: tuple[QueryParam, ...] = (),
    errors: tuple[int, ...] = (),
    description: str = "",
    durable_client: bool = False,
) -> Callable[[Callable[[ApiRequest], Any]], Callable[[ApiRequest], Any]]:
    """Declare an HTTP endpoint: `route` is relative to the `api` prefix; the handler gets an ApiRequest.

    With `durable_client=True` the handler is a coroutine and gets the orchestration client as
    `request.client`; its blocking work should go through `asyncio.to_thread`.
    """

    def decorate(handler: Callable[[ApiRequest], Any]) -> Callable[[ApiRequest], Any]:
        registry.add(
            Operation(
                method=method,
                path="/api/" + route,
                operation_id=handler.__name__,
                summary=summary,
                role=role,
                tags=tags,
                request_model=request_model,
                request_content=request_content,
                response_model=response_model,
                response_schema=response_schema,
                response_content_type=response_content_type,
                response_alternatives=response_alternatives,
                status=status,
                query=query,
                errors=errors,
                description=description,
            )
        )
        if durable_client:

            async def durable_http_function(req: func.HttpRequest, client: Any) -> func.HttpResponse:
                try:
                    principal = await asyncio.to_thread(_principal, req, role)
                    return _to_response(await handler(ApiRequest(req, principal, client)), status)
                except Exception as exc:
                    return error_response(req, exc)

            durable_http_function.__name__ = handler.__name__
            durable_http_function.__qualname__ = handler.__name__
            wrapped = bp.durable_client_input(client_name="client")(durable_http_function)
            bp.route(route=route, methods=[method], auth_level=func.AuthLevel.ANONYMOUS)(wrapped)
        else:

            def http_function(req: func.HttpRequest) -> func.HttpResponse:
                try:
                    return _to_response(handler(ApiRequest(req, _principal(req, role))), status)
                except Exception as exc:
                    return error_response(req, exc)

            http_function.__name__ = handler.__name__
            http_function.__qualname__ = handler.__name__
            bp.route(route=route, methods=[method], auth_level=func.AuthLevel.ANONYMOUS)(http_function)
        return handler

    return decorate
