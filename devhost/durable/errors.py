"""Errors the task hub raises to its callers; rpc.py maps them to the Durable HTTP API's status codes."""

from __future__ import annotations


class TaskHubError(Exception):
    """Base class for task hub errors a caller can act on."""


class InstanceNotFound(TaskHubError):
    """No instance with this id (HTTP 404)."""


class InstanceGone(TaskHubError):
    """The instance completed, failed or was terminated (HTTP 410)."""


class InstanceExists(TaskHubError):
    """start_new with the id of an instance that is still pending or running (HTTP 409)."""


class InstanceNotTerminal(TaskHubError):
    """purge of an instance that is still pending or running (HTTP 412)."""


class OrchestratorNotFound(TaskHubError, ValueError):
    """start_new with a name no registered orchestrator has (HTTP 400)."""
