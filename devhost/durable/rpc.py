"""The task hub over HTTP: the endpoints `DurableOrchestrationClient` calls, and the binding it is built from.

Mirrors the Durable Functions extension's HttpApiHandler (the same paths serve the documented HTTP
management API, `/runtime/webhooks/durabletask/instances/{id}` etc.):

  POST   {rpc}orchestrators/{name}[/{id}]           start            -> 202 + management URLs, 400, 409
  GET    {rpc}instances/{id}?showInput&showHistory   status           -> 200 (finished) / 202 (running) / 404
  GET    {rpc}instances/?runtimeStatus&...           list             -> 200
  DELETE {rpc}instances/{id}                         purge            -> 200 / 404 / 412
  POST   {rpc}instances/{id}/raiseEvent/{event}      raise an event   -> 202 / 400 / 404 / 410
  POST   {rpc}instances/{id}/terminate?reason=       terminate        -> 202 / 404 / 410

Request bodies from the Python client are JSON strings holding JSON (it json.dumps the value, then posts it
with `json=`). As the extension does, a start body is decoded once to get the orchestrator's input, and an
event body is decoded once and re-serialised as the event's data — so an event raised through the Python
client reaches the orchestrator as the JSON *text* of the value (a str), exactly as on Azure
(azure-functions-durable-python #295).
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import web

from devhost.durable.errors import (
    InstanceExists,
    InstanceGone,
    InstanceNotFound,
    InstanceNotTerminal,
    OrchestratorNotFound,
)
from devhost.durable.hub import TaskHub
from devhost.durable.protocol import parse_timestamp
from devhost.durable.store import RUNNING_STATES, TERMINAL_STATES

RPC_PATH = "/runtime/webhooks/durabletask"
INSTANCE_ID_PLACEHOLDER = "{id}"
_CONNECTION_NAME = "Storage"

_T = TypeVar("_T")


def client_binding_json(base_url: str, hub_name: str) -> str:
    """The durable client binding, as the worker passes it to a function's `client` parameter (a str)."""
    origin = base_url.rstrip("/")
    query = _query_suffix(hub_name)
    creation_prefix = f"{origin}{RPC_PATH}/orchestrators/{{functionName}}[/{{instanceId}}]"
    return json.dumps(
        {
            "taskHubName": hub_name,
            "creationUrls": {
                "createNewInstancePostUri": f"{creation_prefix}?{query}",
                "createAndWaitOnNewInstancePostUri": (
                    f"{creation_prefix}?timeout={{timeoutInSeconds}}&pollingInterval={{intervalInSeconds}}&{query}"
                ),
            },
            "managementUrls": management_urls(origin, hub_name, INSTANCE_ID_PLACEHOLDER),
            "rpcBaseUrl": f"{origin}{RPC_PATH}/",
            "requiredQueryStringParameters": query,
        }
    )


def management_urls(origin: str, hub_name: str, instance_id: str) -> dict[str, str]:
    """The HTTP management payload (`id`, `statusQueryGetUri`, `sendEventPostUri`, ...) for one instance."""
    query = _query_suffix(hub_name)
    encoded = instance_id if instance_id == INSTANCE_ID_PLACEHOLDER else quote(instance_id, safe="")
    instance = f"{origin.rstrip('/')}{RPC_PATH}/instances/{encoded}"
    return {
        "id": instance_id,
        "statusQueryGetUri": f"{instance}?{query}",
        "sendEventPostUri": f"{instance}/raiseEvent/{{eventName}}?{query}",
        "terminatePostUri": f"{instance}/terminate?reason={{text}}&{query}",
        "rewindPostUri": f"{instance}/rewind?reason={{text}}&{query}",
        "purgeHistoryDeleteUri": f"{instance}?{query}",
        "restartPostUri": f"{instance}/restart?{query}",
        "suspendPostUri": f"{instance}/suspend?reason={{text}}&{query}",
        "resumePostUri": f"{instance}/resume?reason={{text}}&{query}",
    }


def add_rpc_routes(app: web.Application, hub: TaskHub, executor: Executor | None = None) -> None:
    """Serve the task hub's client API under /runtime/webhooks/durabletask/ on `app`. The hub's blocking
    calls run on `executor` (default: the loop's default executor)."""
    handlers = _Handlers(hub, executor)
    router = app.router
    router.add_post(f"{RPC_PATH}/orchestrators/{{name}}", handlers.start)
    router.add_post(f"{RPC_PATH}/orchestrators/{{name}}/{{instance_id}}", handlers.start)
    router.add_get(f"{RPC_PATH}/instances", handlers.list_instances)
    router.add_get(f"{RPC_PATH}/instances/", handlers.list_instances)
    router.add_get(f"{RPC_PATH}/instances/{{instance_id}}", handlers.status)
    router.add_delete(f"{RPC_PATH}/instances/{{instance_id}}", handlers.purge)
    router.add_post(f"{RPC_PATH}/instances/{{instance_id}}/raiseEvent/{{event_name}}", handlers.raise_event)
    router.add_post(f"{RPC_PATH}/instances/{{instance_id}}/{{operation}}", handlers.operation)


class _Handlers:
    def __init__(self, hub: TaskHub, executor: Executor | None) -> None:
        self._hub = hub
        self._executor = executor

    async def _call(self, function: Callable[..., _T], *args: Any) -> _T:
        # The hub talks to PostgreSQL synchronously: keep that off the event loop.
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, functools.partial(function, *args)
        )

    async def start(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        instance_id = request.match_info.get("instance_id") or None
        body = await request.text()
        input_json: str | None = None
        if body.strip():
            try:
                value = json.loads(body)
            except ValueError:
                return _error(400, "Invalid JSON content")
            # The Python client posts json.dumps(input) as a JSON string: its content is the input's JSON.
            input_json = value if isinstance(value, str) else json.dumps(value)
        try:
            instance_id = await self._call(self._hub.start_new, name, instance_id, input_json)
        except OrchestratorNotFound as exc:
            return _error(400, str(exc))
        except InstanceExists as exc:
            return _error(409, str(exc))
        payload = management_urls(_origin(request), self._hub.hub_name, instance_id)
        return web.json_response(
            payload, status=202, headers={"Location": payload["statusQueryGetUri"], "Retry-After": "10"}
        )

    async def status(self, request: web.Request) -> web.Response:
        query = request.query
        status = await self._call(
            self._hub.get_status,
            request.match_info["instance_id"],
            _flag(query, "showHistory", False),
            _flag(query, "showInput", True),
            _flag(query, "showHistoryOutput", False),
        )
        if status is None:
            return web.Response(status=404)
        runtime_status = status["runtimeStatus"]
        if runtime_status in RUNNING_STATES:
            return web.json_response(
                status, status=202, headers={"Location": str(request.url), "Retry-After": "5"}
            )
        if runtime_status == "Failed" and _flag(query, "returnInternalServerErrorOnFailure", False):
            return web.json_response(status, status=500)
        return web.json_response(status, status=200)

    async def list_instances(self, request: web.Request) -> web.Response:
        query = request.query
        statuses = [s for value in query.getall("runtimeStatus", []) for s in value.split(",") if s] or None
        top = query.get("top")
        statuses_list = await self._call(
            self._hub.list_instances,
            statuses,
            _time_param(query.get("createdTimeFrom")),
            _time_param(query.get("createdTimeTo")),
            query.get("instanceIdPrefix") or None,
            int(top) if top and top.isdigit() else None,
            _flag(query, "showInput", True),
        )
        return web.json_response(statuses_list)

    async def purge(self, request: web.Request) -> web.Response:
        instance_id = request.match_info["instance_id"]
        try:
            purged = await self._call(self._hub.purge, instance_id)
        except InstanceNotTerminal as exc:
            return web.json_response(str(exc), status=412)
        if not purged:
            return web.Response(status=404)
        return web.json_response({"instancesDeleted": 1})

    async def raise_event(self, request: web.Request) -> web.Response:
        instance_id, event_name = request.match_info["instance_id"], request.match_info["event_name"]
        problem: str | None = None
        data_json: str | None = None
        if request.content_type.lower() != "application/json":
            problem = "Only application/json request content is supported"
        else:
            try:
                # Decoded once and serialised again, as the extension's JToken round trip does.
                data_json = json.dumps(json.loads(await request.text()))
            except ValueError:
                problem = "Invalid JSON content"
        if problem is not None:
            # The extension answers 404/410 before it looks at the body.
            status = await self._call(self._hub.get_status, instance_id, False, False)
            if status is None:
                return web.Response(status=404)
            if status["runtimeStatus"] in TERMINAL_STATES:
                return web.Response(status=410)
            return _error(400, problem)
        try:
            await self._call(self._hub.raise_event, instance_id, event_name, data_json)
        except InstanceNotFound:
            return web.Response(status=404)
        except InstanceGone:
            return web.Response(status=410)
        return web.Response(status=202)

    async def operation(self, request: web.Request) -> web.Response:
        instance_id, operation = request.match_info["instance_id"], request.match_info["operation"]
        if operation.lower() != "terminate":
            return _error(501, f"devhost's task hub does not support '{operation}'")
        try:
            await self._call(self._hub.terminate, instance_id, request.query.get("reason"))
        except InstanceNotFound:
            return web.Response(status=404)
        except InstanceGone:
            return web.Response(status=410)
        return web.Response(status=202)


def _query_suffix(hub_name: str) -> str:
    return f"taskHub={quote(hub_name, safe='')}&connection={_CONNECTION_NAME}"


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _flag(query: Any, name: str, default: bool) -> bool:
    value = query.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    return default


def _time_param(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def _error(status: int, message: str) -> web.Response:
    # The extension's HttpError shape; the Python client reads ExceptionMessage from a 400 on start.
    return web.json_response({"Message": message, "ExceptionMessage": message}, status=status)
