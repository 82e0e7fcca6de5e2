"""Pick the durable functions out of an app's indexed functions, in the shape TaskHub takes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DurableFunctions:
    """TaskHub's `orchestrators`, `activities` and `activity_param_names` arguments."""

    orchestrators: dict[str, Callable[[str], str]] = field(default_factory=dict)
    activities: dict[str, Callable[..., Any]] = field(default_factory=dict)
    activity_param_names: dict[str, str] = field(default_factory=dict)


def durable_functions(functions: Iterable[Any]) -> DurableFunctions:
    """From `app.get_functions()` (call that once per app object and reuse the list: a second call raises).

    An orchestration trigger's user function is the registered handle (it takes the context JSON); an
    activity trigger's is the plain function, whose input parameter is named by the trigger's `name`."""
    found = DurableFunctions()
    for function in functions:
        trigger = function.get_trigger()
        name = function.get_function_name()
        if trigger.type == "orchestrationTrigger":
            found.orchestrators[name] = function.get_user_function()
        elif trigger.type == "activityTrigger":
            found.activities[name] = function.get_user_function()
            found.activity_param_names[name] = trigger.name
    return found
