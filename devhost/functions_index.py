"""Reads `function_app.app` the way the Functions host indexes it: triggers, bindings, routes.

Unsupported trigger or binding types are refused with a message naming the function, so nothing silently
never runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    client_arg: str | None = None
    is_async: bool = False


@dataclass
class TimerFunction:
    name: str
    schedule: str
    arg: str
    client_arg: str | None
    function: Any
    run_on_startup: bool
    is_async: bool = False


@dataclass
class FunctionIndex:
    routes: list[HttpRoute] = field(default_factory=list)
    queues: list[QueueFunction] = field(default_factory=list)
    timers: list[TimerFunction] = field(default_factory=list)
    all_functions: list[Any] = field(default_factory=list)


# Route constraints devhost enforces, as ASP.NET Core routing (which the Functions host uses) does.
_CONSTRAINTS = {
    "int": r"-?\d+",
    "long": r"-?\d+",
    "bool": r"true|false",
    "alpha": r"[A-Za-z]+",
    "guid": r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[0-9A-Fa-f]{32}",
    "double": r"-?\d+(?:\.\d+)?",
    "float": r"-?\d+(?:\.\d+)?",
    "decimal": r"-?\d+(?:\.\d+)?",
}
_PARAMETER = re.compile(r"{(?P<catch_all>\*)?(?P<name>\w+)(?::(?P<constraint>[^}?]*))?(?P<optional>\?)?}")


def _segments(template: str) -> list[str]:
    return [segment for segment in template.strip("/").split("/") if segment]


def route_pattern(template: str) -> re.Pattern[str]:
    """A route template (`jobs/{id}`, `{id:guid}`, `{name?}`, `{*rest}`) to a regex with named groups.

    Literal segments match case-insensitively, as on Azure. Raises ValueError for what devhost cannot
    honour faithfully (constraints it does not know, defaults, several parameters in one segment), so a
    route never silently matches differently than it would on Azure.
    """
    parts = []
    for segment in _segments(template):
        match = _PARAMETER.fullmatch(segment)
        if match is None:
            if "{" in segment or "}" in segment:
                raise ValueError(
                    f"route segment {segment!r} is not supported by devhost (one parameter a segment)"
                )
            parts.append("/" + re.escape(segment))
            continue
        name, constraint = match["name"], match["constraint"]
        if match["catch_all"]:
            parts.append(f"(?:/(?P<{name}>.*))?")
            continue
        if constraint is not None and constraint not in _CONSTRAINTS:
            raise ValueError(f"route constraint {constraint!r} in {segment!r} is not supported by devhost")
        value = f"(?:{_CONSTRAINTS[constraint]})" if constraint else "[^/]+"
        parts.append(f"(?:/(?P<{name}>{value}))?" if match["optional"] else f"/(?P<{name}>{value})")
    return re.compile("^" + "".join(parts) + r"/?\Z", re.IGNORECASE)  # \Z: `$` also matches before a newline


def route_precedence(template: str) -> tuple[int, ...]:
    """Sort key: more specific routes first, as ASP.NET Core routing orders them (a literal segment beats a
    constrained parameter, which beats a plain one, then optional, then catch-all), whatever the order of
    registration."""
    ranks = []
    for segment in _segments(template):
        match = _PARAMETER.fullmatch(segment)
        if match is None:
            ranks.append(0)
        elif match["catch_all"]:
            ranks.append(4)
        elif match["optional"]:
            ranks.append(3)
        else:
            ranks.append(1 if match["constraint"] else 2)
    return tuple(ranks)


def index_functions(functions: list[Any], route_prefix: str = "api") -> FunctionIndex:
    """Index `app.get_functions()`; raises UnsupportedFunction, naming the function, for anything devhost
    would otherwise run differently from Azure or not at all."""
    from devhost.cron import next_occurrence

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
        # A function with a durable client input is wrapped in an async middleware.
        is_async = client_arg is not None or _is_coroutine(user_function)
        if trigger.type == "httpTrigger":
            template = (trigger.route or name).strip("/")
            methods = frozenset(
                str(getattr(m, "value", m)).upper() for m in (trigger.methods or [])
            ) or frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
            try:
                pattern = route_pattern(prefix + "/" + template)
            except ValueError as exc:
                raise UnsupportedFunction(f"function {name!r}: route {template!r}: {exc}") from None
            index.routes.append(
                HttpRoute(name, template, pattern, methods, user_function, trigger.name, client_arg, is_async)
            )
        elif trigger.type == "serviceBusTrigger":
            index.queues.append(
                QueueFunction(name, trigger.queue_name, trigger.name, user_function, client_arg, is_async)
            )
        elif trigger.type == "timerTrigger":
            try:
                next_occurrence(trigger.schedule, datetime.now(UTC))  # refuses bad and never-firing schedules
            except ValueError as exc:
                raise UnsupportedFunction(f"function {name!r}: {exc}") from None
            run_on_startup = bool(getattr(trigger, "run_on_startup", False))
            index.timers.append(
                TimerFunction(
                    name, trigger.schedule, trigger.name, client_arg, user_function, run_on_startup, is_async
                )
            )
    # Stable: among equally specific routes, registration order decides.
    index.routes.sort(key=lambda route: route_precedence(route.template))
    return index


def _is_coroutine(function: Any) -> bool:
    import inspect

    return inspect.iscoroutinefunction(function)
