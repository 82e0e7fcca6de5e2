"""Calls the registered Azure Functions the way the host does: a func.HttpRequest into the user function."""

from __future__ import annotations

import asyncio
import inspect
import json as jsonlib
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import azure.functions as func

from tests.conftest import TEST_ADMIN_TOKEN


@lru_cache(maxsize=1)
def http_functions() -> list[tuple[str, re.Pattern[str], list[str], Any]]:
    import function_app

    routes = []
    for function in function_app.app.get_functions():
        trigger = function.get_trigger()
        if trigger.type != "httpTrigger":
            continue
        pattern = re.compile(
            "^" + re.sub(r"{(\w+)(?::[^}]*)?}", lambda m: f"(?P<{m.group(1)}>[^/]+)", trigger.route) + "$"
        )
        methods = [str(m.value if hasattr(m, "value") else m).upper() for m in (trigger.methods or [])]
        routes.append((trigger.route, pattern, methods, function.get_user_function()))
    return routes


class Response:
    def __init__(self, response: func.HttpResponse) -> None:
        self.raw = response
        self.status = response.status_code
        self.headers = dict(response.headers)
        self.content_type = response.mimetype
        self.body = response.get_body()

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.body[:300]!r}>"


def call(
    method: str,
    path: str,
    *,
    json: Any = None,
    body: bytes | None = None,
    token: str | None = TEST_ADMIN_TOKEN,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    durable_client: Any = None,
) -> Response:
    """Invoke the function serving `method /api/<path>`; 404 as the host would when no route matches.

    A function with a durable client input gets `durable_client` as its client (the host would pass the
    binding JSON, from which the library builds a DurableOrchestrationClient; without a host there is none).
    """
    route_path = path.removeprefix("/").removeprefix("api/")
    all_headers = {k.lower(): v for k, v in (headers or {}).items()}
    if token is not None:
        all_headers.setdefault("authorization", f"Bearer {token}")
    if json is not None:
        body = jsonlib.dumps(json).encode()
        all_headers.setdefault("content-type", "application/json")
    clean_params = {k: str(v) for k, v in (params or {}).items() if v is not None}
    for _route, pattern, methods, user_function in http_functions():
        match = pattern.match(route_path)
        if match and method.upper() in methods:
            query = ("?" + urlencode(clean_params)) if clean_params else ""
            request = func.HttpRequest(
                method=method.upper(),
                url=f"http://localhost:7071/api/{route_path}{query}",
                headers=all_headers,
                params=clean_params,
                route_params=match.groupdict(),
                body=body or b"",
            )
            return Response(_invoke(user_function, request, durable_client))
    return Response(func.HttpResponse("no such route", status_code=404))


_loop: asyncio.AbstractEventLoop | None = None


def _invoke(user_function: Any, request: func.HttpRequest, durable_client: Any) -> func.HttpResponse:
    client_function = getattr(user_function, "client_function", None)  # the library's durable middleware
    if client_function is None and not inspect.iscoroutinefunction(user_function):
        return user_function(request)
    global _loop
    # One long-lived loop, as the worker has: the durable client library keeps a process-wide aiohttp
    # session bound to the loop that created it.
    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
    if client_function is not None:
        return _loop.run_until_complete(client_function(request, client=durable_client))
    return _loop.run_until_complete(user_function(request))
