"""The wire format between a Durable Task host and the out-of-process Python orchestrator.

What the Durable Functions extension sends the Python worker (the orchestration context: history events
with integer `EventType`s, `upperSchemaVersion`, timer settings) and what it gets back (`isDone`, the
cumulative action list, `output`, `customStatus`, or an exception carrying `$OutOfProcData$`). Facts are in
/work/shared/notes/durable-local-host.md; everything here is pure data, no I/O.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any


class EventType(IntEnum):
    """DTFx `HistoryEvent.EventType` values (the library's HistoryEventType)."""

    EXECUTION_STARTED = 0
    EXECUTION_COMPLETED = 1
    EXECUTION_FAILED = 2
    EXECUTION_TERMINATED = 3
    TASK_SCHEDULED = 4
    TASK_COMPLETED = 5
    TASK_FAILED = 6
    SUB_ORCHESTRATION_CREATED = 7
    SUB_ORCHESTRATION_COMPLETED = 8
    SUB_ORCHESTRATION_FAILED = 9
    TIMER_CREATED = 10
    TIMER_FIRED = 11
    ORCHESTRATOR_STARTED = 12
    ORCHESTRATOR_COMPLETED = 13
    EVENT_SENT = 14
    EVENT_RAISED = 15
    CONTINUE_AS_NEW = 16


class ActionType(IntEnum):
    """The library's ActionType values, as they appear in the orchestrator's result."""

    CALL_ACTIVITY = 0
    CALL_ACTIVITY_WITH_RETRY = 1
    CALL_SUB_ORCHESTRATOR = 2
    CALL_SUB_ORCHESTRATOR_WITH_RETRY = 3
    CONTINUE_AS_NEW = 4
    CREATE_TIMER = 5
    WAIT_FOR_EXTERNAL_EVENT = 6
    CALL_ENTITY = 7
    CALL_HTTP = 8
    SIGNAL_ENTITY = 9
    WHEN_ANY = 11
    WHEN_ALL = 12


EVENT_NAMES = {
    int(event_type): "".join(part.capitalize() for part in event_type.name.split("_"))
    for event_type in EventType
}
EVENT_NAMES[EventType.SUB_ORCHESTRATION_CREATED] = "SubOrchestrationInstanceCreated"
EVENT_NAMES[EventType.SUB_ORCHESTRATION_COMPLETED] = "SubOrchestrationInstanceCompleted"
EVENT_NAMES[EventType.SUB_ORCHESTRATION_FAILED] = "SubOrchestrationInstanceFailed"

ACTION_NAMES = {
    ActionType.CALL_ACTIVITY: "CallActivity",
    ActionType.CALL_ACTIVITY_WITH_RETRY: "CallActivityWithRetry",
    ActionType.CALL_SUB_ORCHESTRATOR: "CallSubOrchestrator",
    ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY: "CallSubOrchestratorWithRetry",
    ActionType.CONTINUE_AS_NEW: "ContinueAsNew",
    ActionType.CREATE_TIMER: "CreateTimer",
    ActionType.WAIT_FOR_EXTERNAL_EVENT: "WaitForExternalEvent",
    ActionType.CALL_ENTITY: "CallEntity",
    ActionType.CALL_HTTP: "CallHttp",
    ActionType.SIGNAL_ENTITY: "SignalEntity",
    ActionType.WHEN_ANY: "WhenAny",
    ActionType.WHEN_ALL: "WhenAll",
}

# Actions this host carries out. The others (sub-orchestrations, entities, durable HTTP) fail the instance
# with a clear message instead of hanging it.
SUPPORTED_ACTIONS = frozenset(
    {
        ActionType.CALL_ACTIVITY,
        ActionType.CALL_ACTIVITY_WITH_RETRY,
        ActionType.CONTINUE_AS_NEW,
        ActionType.CREATE_TIMER,
        ActionType.WAIT_FOR_EXTERNAL_EVENT,
    }
)

# Actions that take a sequence number (the library's `_sequence_number`) when yielded; WaitForExternalEvent
# is keyed by its event name instead, and ContinueAsNew ends the execution.
SEQUENCED_ACTIONS = frozenset(
    {
        ActionType.CALL_ACTIVITY,
        ActionType.CALL_ACTIVITY_WITH_RETRY,
        ActionType.CALL_SUB_ORCHESTRATOR,
        ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY,
        ActionType.CREATE_TIMER,
        ActionType.CALL_ENTITY,
        ActionType.CALL_HTTP,
    }
)

# What the real extension sends on Azure Storage: timers longer than 6 days become "long timers" chained in
# 3-day steps (schema version 2 = the library's ReplaySchema.V3).
MAXIMUM_SHORT_TIMER_DURATION = "6.00:00:00"
LONG_RUNNING_TIMER_INTERVAL_DURATION = "3.00:00:00"
UPPER_SCHEMA_VERSION = 1
UPPER_SCHEMA_VERSION_NEW = 2

_OUT_OF_PROC_MARKER = "\n\n$OutOfProcData$:"
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with microseconds and a Z, as the library itself writes datetimes."""
    return moment.astimezone(UTC).strftime(_TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Every replay rebuilds the whole history, and the library parses each event's Timestamp with dateutil's
# general-purpose parser (~50 us each; about 5% of devhost's CPU under webhook load). The strings repeat
# from replay to replay and datetimes are immutable, so a cache returns exactly what dateutil would.
_HISTORY_TIMESTAMP_CACHE = 100_000


def cache_history_timestamps() -> None:
    """Make the library's history-event timestamp parse a cached one (idempotent; devhost only)."""
    module = importlib.import_module("azure.durable_functions.models.history.HistoryEvent")
    if not hasattr(module.dt_parse, "cache_info"):
        module.dt_parse = functools.lru_cache(maxsize=_HISTORY_TIMESTAMP_CACHE)(module.dt_parse)


def new_event(event_type: EventType, now: datetime, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    """A history event as DTFx serialises it; `IsPlayed` is set when the context is built."""
    return {"EventType": int(event_type), "EventId": event_id, "Timestamp": format_timestamp(now), **fields}


def build_context(
    instance_id: str, history: list[dict[str, Any]], new_events_from: int, input_json: str | None
) -> str:
    """The orchestration trigger payload: events before `new_events_from` are marked as already played."""
    events = [{**event, "IsPlayed": index < new_events_from} for index, event in enumerate(history)]
    return json.dumps(
        {
            "history": events,
            "instanceId": instance_id,
            "isReplaying": new_events_from > 0,
            "parentInstanceId": None,
            "input": input_json,
            "upperSchemaVersion": UPPER_SCHEMA_VERSION,
            "upperSchemaVersionNew": UPPER_SCHEMA_VERSION_NEW,
            "maximumShortTimerDuration": MAXIMUM_SHORT_TIMER_DURATION,
            "longRunningTimerIntervalDuration": LONG_RUNNING_TIMER_INTERVAL_DURATION,
        }
    )


@dataclass
class Action:
    """One leaf action from the orchestrator's result (compound WhenAny/WhenAll flattened away)."""

    type: int
    raw: dict[str, Any]

    @property
    def kind(self) -> str:
        try:
            return ACTION_NAMES[ActionType(self.type)]
        except ValueError:
            return f"action type {self.type}"

    @property
    def name(self) -> str | None:
        return self.raw.get("functionName") or self.raw.get("externalEventName")

    @property
    def sequenced(self) -> bool:
        return self.type in SEQUENCED_ACTIONS

    def describe(self) -> str:
        return f"{self.kind} {self.name!r}" if self.raw.get("functionName") else self.kind


def flatten_actions(actions: list[Any]) -> list[Action]:
    """Leaf actions in the order the library appended them, which is also sequence-number order."""
    leaves: list[Action] = []

    def visit(item: Any) -> None:
        if isinstance(item, list):
            for child in item:
                visit(child)
        elif isinstance(item, dict):
            action_type = int(item.get("actionType", -1))
            if action_type in (ActionType.WHEN_ANY, ActionType.WHEN_ALL):
                visit(item.get("compoundActions") or [])
            else:
                leaves.append(Action(action_type, item))

    visit(actions)
    return leaves


@dataclass
class OrchestratorOutcome:
    """What one orchestrator invocation decided."""

    is_done: bool
    actions: list[Action] = field(default_factory=list)
    output: Any = None
    custom_status: Any = None
    error: str | None = None  # user code raised: the instance fails with this message

    @property
    def continue_as_new(self) -> Action | None:
        for action in self.actions:
            if action.type == ActionType.CONTINUE_AS_NEW:
                return action
        return None


def invoke_orchestrator(handle: Callable[[str], str], context_json: str) -> OrchestratorOutcome:
    """Call the registered orchestrator handle and interpret its result or its `$OutOfProcData$` error."""
    try:
        result = handle(context_json)
    except Exception as exc:
        message = str(exc)
        error, marker, state_json = message.partition(_OUT_OF_PROC_MARKER)
        if not marker:  # not raised through the library's executor (e.g. a non-generator that raised)
            return OrchestratorOutcome(is_done=False, error=message or type(exc).__name__)
        state = json.loads(state_json)
        return OrchestratorOutcome(
            is_done=False,
            actions=flatten_actions(state.get("actions") or []),
            custom_status=state.get("customStatus"),
            error=error or state.get("error") or type(exc).__name__,
        )
    state = json.loads(result) if isinstance(result, str | bytes) else result
    return OrchestratorOutcome(
        is_done=bool(state.get("isDone")),
        actions=flatten_actions(state.get("actions") or []),
        output=state.get("output"),
        custom_status=state.get("customStatus"),
    )
