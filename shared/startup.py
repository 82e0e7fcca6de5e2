"""What the Functions worker process needs before the app's own modules load. Called once, by function_app.py,
right after the Functions libraries are imported and before anything of ours is."""

from __future__ import annotations

import gc
import os


def prepare_worker_process() -> None:
    # The app uses no pydantic plugins. Without this, the first model pydantic builds imports
    # importlib.metadata and scans every installed package's entry points for plugins (10-25 ms of each
    # cold start). An operator who does add a plugin sets PYDANTIC_DISABLE_PLUGINS themselves.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Everything imported so far (the worker, azure.functions, azure.durable_functions, aiohttp) lives as
    # long as the process. Moving it to the permanent generation keeps the garbage collector's full passes,
    # one of which falls within our own import and more while requests run, from traversing it each time.
    gc.freeze()
