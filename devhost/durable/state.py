"""What the host knows about one execution, derived from its history events (plus host-only metadata).

The library assigns sequence numbers (task ids, timer ids) as user code yields tasks, and also internally
for `call_activity_with_retry` (a timer after each failed attempt, then a rescheduled attempt). The host has
to hand out exactly the same numbers, so it replays the same bookkeeping here: every TaskScheduled and
TimerCreated it records consumes the next number, and each is tagged as either a user action (one to one,
in order, with the sequenced actions in the orchestrator's cumulative action list) or a retry step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from devhost.durable.protocol import EventType


@dataclass
class RetryPolicy:
    """The retry options of a CallActivityWithRetry action (Python's RetryOptions has the first two)."""

    first_interval_ms: int
    max_attempts: int
    backoff: float = 1.0
    max_interval_ms: int | None = None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> RetryPolicy:
        return cls(
            first_interval_ms=int(options.get("firstRetryIntervalInMilliseconds") or 1000),
            max_attempts=max(1, int(options.get("maxNumberOfAttempts") or 1)),
            backoff=float(options.get("backoffCoefficient") or 1.0),
            max_interval_ms=options.get("maxRetryIntervalInMilliseconds"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "firstRetryIntervalInMilliseconds": self.first_interval_ms,
            "maxNumberOfAttempts": self.max_attempts,
            "backoffCoefficient": self.backoff,
            "maxRetryIntervalInMilliseconds": self.max_interval_ms,
        }

    def delay_after(self, failed_attempt: int) -> timedelta:
        milliseconds = self.first_interval_ms * self.backoff ** (failed_attempt - 1)
        if self.max_interval_ms is not None:
            milliseconds = min(milliseconds, self.max_interval_ms)
        return timedelta(milliseconds=milliseconds)


@dataclass
class RetryGroup:
    """One call_activity_with_retry: its attempts and the timer it is waiting on between them."""

    first_task_id: int
    name: str
    input: str | None
    policy: RetryPolicy
    attempts: int = 1
    current_task_id: int = -1
    waiting_timer_id: int | None = None

    @property
    def exhausted(self) -> bool:
        return self.attempts >= self.policy.max_attempts


@dataclass
class ScheduledStep:
    """A user action the history recorded, used to check that a replay asks for the same thing."""

    sequence: int
    kind: str
    name: str | None

    def describe(self) -> str:
        return f"{self.kind} {self.name!r}" if self.name is not None else self.kind


@dataclass
class InstanceHistory:
    """The current execution's events and the bookkeeping derived from them."""

    execution_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    next_sequence: int = 0
    steps: list[ScheduledStep] = field(default_factory=list)
    completed_ids: set[int] = field(default_factory=set)
    task_names: dict[int, str] = field(default_factory=dict)
    retry_by_task: dict[int, RetryGroup] = field(default_factory=dict)
    retry_by_timer: dict[int, RetryGroup] = field(default_factory=dict)
    retry_groups: dict[int, RetryGroup] = field(default_factory=dict)
    cancelled_timers: set[int] = field(default_factory=set)
    started: bool = False

    @classmethod
    def rebuild(
        cls, execution_id: str, rows: list[tuple[dict[str, Any], dict[str, Any] | None]]
    ) -> InstanceHistory:
        state = cls(execution_id)
        for event, meta in rows:
            state.apply(event, meta)
        return state

    def apply(self, event: dict[str, Any], meta: dict[str, Any] | None = None) -> None:
        """Append one event and update the bookkeeping; the one place both replay and live episodes use."""
        self.events.append(event)
        meta = meta or {}
        event_type = event["EventType"]
        if event_type == EventType.EXECUTION_STARTED:
            self.started = True
        elif event_type == EventType.TASK_SCHEDULED:
            task_id = int(event["EventId"])
            self.next_sequence = max(self.next_sequence, task_id + 1)
            self.task_names[task_id] = event.get("Name") or ""
            retry_of = meta.get("retryOf")
            if retry_of is not None:
                group = self.retry_groups[int(retry_of)]
                group.attempts += 1
                group.current_task_id = task_id
                group.waiting_timer_id = None
                self.retry_by_task[task_id] = group
            else:
                kind = meta.get("action") or "CallActivity"
                self.steps.append(ScheduledStep(task_id, kind, event.get("Name")))
                if kind == "CallActivityWithRetry":
                    group = RetryGroup(
                        first_task_id=task_id,
                        name=event.get("Name") or "",
                        input=event.get("Input"),
                        policy=RetryPolicy.from_options(meta.get("retry") or {}),
                        current_task_id=task_id,
                    )
                    self.retry_groups[task_id] = group
                    self.retry_by_task[task_id] = group
        elif event_type == EventType.TIMER_CREATED:
            timer_id = int(event["EventId"])
            self.next_sequence = max(self.next_sequence, timer_id + 1)
            retry_of = meta.get("retryOf")
            if retry_of is not None:
                group = self.retry_groups[int(retry_of)]
                group.waiting_timer_id = timer_id
                self.retry_by_timer[timer_id] = group
            else:
                self.steps.append(ScheduledStep(timer_id, "CreateTimer", None))
        elif event_type in (EventType.TASK_COMPLETED, EventType.TASK_FAILED):
            self.completed_ids.add(int(event["TaskScheduledId"]))
        elif event_type == EventType.TIMER_FIRED:
            self.completed_ids.add(int(event["TimerId"]))

    def completion_id(self, event: dict[str, Any]) -> int | None:
        event_type = event["EventType"]
        if event_type in (EventType.TASK_COMPLETED, EventType.TASK_FAILED):
            return int(event["TaskScheduledId"])
        if event_type == EventType.TIMER_FIRED:
            return int(event["TimerId"])
        return None

    def is_duplicate_completion(self, event: dict[str, Any]) -> bool:
        completion = self.completion_id(event)
        return completion is not None and completion in self.completed_ids

    def retry_group_for(self, event: dict[str, Any]) -> RetryGroup | None:
        """The retry whose step this event is: a failed attempt, or the timer between attempts.

        Such an event makes the library take a sequence number internally while it processes the event,
        so the host gives it an episode of its own to know exactly which number that was.
        """
        event_type = event["EventType"]
        if event_type == EventType.TASK_FAILED:
            task_id = int(event["TaskScheduledId"])
            group = self.retry_by_task.get(task_id)
            if group is not None and group.current_task_id == task_id:
                return group
        elif event_type == EventType.TIMER_FIRED:
            group = self.retry_by_timer.get(int(event["TimerId"]))
            if group is not None and group.waiting_timer_id == int(event["TimerId"]):
                return group
        return None
