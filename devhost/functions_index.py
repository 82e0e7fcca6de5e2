"""Reads `function_app.app` the way the Functions host indexes it: triggers, bindings, routes.

Unsupported trigger or binding types are refused with a message naming the function, so nothing silently
never runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TRIGGERS = {
    "httpTrigger",
    "orchestrationTrigger",
    "activityTrigger",
    "serviceBusTrigger",
    "timerTrigger",
}
SUPPORTED_BINDINGS = SUPPORTED_TRIGGERS | {"durableClient", "http"}


class UnsupportedFunction(RuntimeError):
    pass


@dataclass
class HttpRoute:
    name: str
    template: str
    pattern: re.Pattern[str]
    methods: frozenset[str]
    function: Any
    request_arg: str
    client_arg: str | None
    is_async: bool


@dataclass
class QueueFunction:
    name: str
    queue: str
    arg: str
    function: Any


@dataclass
class TimerFunction:
    name: str
    schedule: str
    arg: str
    client_arg: str | None
    function: Any
    run_on_startup: bool


@dataclass
class FunctionIndex:
    routes: list[HttpRoute] = field(default_factory=list)
    queues: list[QueueFunction] = field(default_factory=list)
    timers: list[TimerFunction] = field(default_factory=list)
    all_functions: list[Any] = field(default_factory=list)


def route_pattern(template: str) -> re.Pattern[str]:
    """`jobs/{id}`, `{id:guid}`, `{name?}` to a regex with named groups."""
    parts = []
    for segment in template.strip("/").split("/"):
        match = re.fullmatch(r"{(\w+)(?::[^}?]*)?(\?)?}", segment)
        if match:
            name, optional = match.group(1), match.group(2)
            parts.append(f"(?:/(?P<{name}>[^/]+))?" if optional else f"/(?P<{name}>[^/]+)")
        else:
            parts.append("/" + re.escape(segment))
    return re.compile("^" + "".join(parts) + r"/?\Z")  # \Z: `$` would also match before a final newline


def index_functions(functions: list[Any], route_prefix: str = "api") -> FunctionIndex:
    index = FunctionIndex(all_functions=functions)
    prefix = f"/{route_prefix.strip('/')}" if route_prefix.strip("/") else ""
    for function in functions:
        name = function.get_function_name()
        trigger = function.get_trigger()
        bindings = function.get_bindings()
        for binding in bindings:
            if binding.type not in SUPPORTED_BINDINGS:
                raise UnsupportedFunction(
                    f"function {name!r} uses binding type {binding.type!r}, which devhost does not support "
                    f"(supported: {', '.join(sorted(SUPPORTED_BINDINGS))})"
                )
        client_arg = next((b.name for b in bindings if b.type == "durableClient"), None)
        user_function = function.get_user_function()
        if trigger.type == "httpTrigger":
            template = (trigger.route or name).strip("/")
            methods = frozenset(
                str(getattr(m, "value", m)).upper() for m in (trigger.methods or [])
            ) or frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
            index.routes.append(
                HttpRoute(
                    name,
                    template,
                    route_pattern(prefix + "/" + template),
                    methods,
                    user_function,
                    trigger.name,
                    client_arg,
                    client_arg is not None or _is_coroutine(user_function),
                )  # fmt: skip
            )
        elif trigger.type == "serviceBusTrigger":
            index.queues.append(QueueFunction(name, trigger.queue_name, trigger.name, user_function))
        elif trigger.type == "timerTrigger":
            index.timers.append(
                TimerFunction(
                    name,
                    trigger.schedule,
                    trigger.name,
                    client_arg,
                    user_function,
                    bool(getattr(trigger, "run_on_startup", False)),
                )  # fmt: skip
            )
    return index


def _is_coroutine(function: Any) -> bool:
    import inspect

    return inspect.iscoroutinefunction(function)
