"""devhost's Durable Functions task hub: the Durable Task extension's job (history, activities, timers,
events) done locally in PostgreSQL, with the replay left to the real azure-functions-durable library.

`TaskHub` is the engine; `devhost.durable.rpc` exposes it over the HTTP API the durable client calls.
"""

from devhost.durable.errors import (
    InstanceExists,
    InstanceGone,
    InstanceNotFound,
    InstanceNotTerminal,
    OrchestratorNotFound,
    TaskHubError,
)
from devhost.durable.hub import TaskHub

__all__ = [
    "InstanceExists",
    "InstanceGone",
    "InstanceNotFound",
    "InstanceNotTerminal",
    "OrchestratorNotFound",
    "TaskHub",
    "TaskHubError",
]
