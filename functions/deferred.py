"""Modules that entry points import when a function first runs rather than at cold start.

The Functions host imports function_app, and with it every module of functions/, before it serves anything;
whatever those modules import at top level, every cold start pays for (and compiles, when no bytecode is
shipped). What declaring the functions needs (blueprints, routes, the API's models for the OpenAPI
document) is imported as usual; the services behind the handlers, and all they import (data access,
adapters, interview rules), are named with `deferred_import` and imported on first attribute access.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class DeferredModule:
    """Stands for a module until it is first used; every attribute then comes from the imported module."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:  # import_module holds the import lock: threads racing here import it once
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"


def deferred_import(name: str) -> Any:
    """The module `name` (absolute), imported when one of its attributes is first read."""
    return DeferredModule(name)
