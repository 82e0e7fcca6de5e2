"""The task hub engine: the Durable Task extension's part of running orchestrations, for devhost.

The replay itself stays in the real `azure-functions-durable` library: for every episode the hub builds the
orchestration context (history + new events), calls the registered orchestrator handle, and turns the
new actions in its answer into durable work (activities, timers), all recorded in PostgreSQL in one
transaction. Activities run on a thread pool; timers fire from a scheduler thread that sleeps until the
earliest one is due (or the Clock moves); events, activity results and timer fires are queued per instance
and dispatched at once, never by polling. See README.md for how this maps to Azure and what differs.

Threads: `max_workers` orchestration workers (an instance is never in two of them at once), `max_workers`
activity workers, one timer scheduler, and (only if an activity is `async def` and no loop was given) one
event loop thread for async activities.
"""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import inspect
import itertools
import json
import logging
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from azure.functions.durable_functions import ActivityTriggerConverter
from azure.functions.meta import Datum

from devhost.clock import Clock
from devhost.durable.errors import (
    InstanceExists,
    InstanceGone,
    InstanceNotFound,
    InstanceNotTerminal,
    OrchestratorNotFound,
    TaskHubError,
)
from devhost.durable.protocol import (
    EVENT_NAMES,
    SUPPORTED_ACTIONS,
    Action,
    ActionType,
    EventType,
    OrchestratorOutcome,
    build_context,
    cache_history_timestamps,
    format_timestamp,
    invoke_orchestrator,
    new_event,
    parse_timestamp,
)
from devhost.durable.state import InstanceHistory, RetryPolicy, ScheduledStep
from devhost.durable.store import (
    TERMINAL_STATES,
    ActivityRow,
    EpisodeWrite,
    InstanceRow,
    MessageRow,
    TaskHubStore,
    TimerRow,
)

__all__ = [
    "InstanceExists",
    "InstanceGone",
    "InstanceNotFound",
    "InstanceNotTerminal",
    "OrchestratorNotFound",
    "TaskHub",
    "TaskHubError",
]

# Messages handed to one episode at most; more wait for the next one (fairness between instances).
_BATCH_LIMIT = 100
# After an unexpected error in an episode (database down, a bug), wait this long before trying again.
_ERROR_BACKOFF_SECONDS = 1.0
_LOG_VALUE_LIMIT = 200


class TaskHub:
    """A durable task hub persisted in PostgreSQL; see the module docstring and README.md."""

    def __init__(
        self,
        dsn: str,
        orchestrators: dict[str, Callable[[str], str]],
        activities: dict[str, Callable[..., Any]],
        activity_param_names: dict[str, str],
        clock: Clock,
        hub_name: str = "InterviewHub",
        max_workers: int = 8,
        log: logging.Logger | None = None,
        activity_loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        """`orchestrators[name]` is the registered handle (`Function.get_user_function()` of an orchestration
        trigger); `activities[name]` the plain activity function, called as
        `fn(**{activity_param_names[name]: input})`. An `async def` activity runs on `activity_loop` if given
        (e.g. the server's loop, so it shares the loop with other async code), else on a loop thread the hub
        starts for them; the activity worker thread waits for its result either way."""
        self.hub_name = hub_name
        self.clock = clock
        cache_history_timestamps()
        self._orchestrators = dict(orchestrators)
        self._activities = dict(activities)
        self._param_names = dict(activity_param_names)
        self._max_workers = max(1, max_workers)
        self._log = log or logging.getLogger("devhost.durable")
        self._store = TaskHubStore(dsn, hub_name, max_connections=2 * self._max_workers + 4)

        # Dispatch state, all guarded by _lock. An instance is in at most one of ready / in flight;
        # "dirty" marks an in-flight instance that received new work meanwhile (run it again after).
        self._lock = threading.Lock()
        self._work_ready = threading.Condition(self._lock)
        self._idle_changed = threading.Condition(self._lock)
        self._ready: deque[str] = deque()
        self._queued: set[str] = set()
        self._in_flight: set[str] = set()
        self._dirty: set[str] = set()
        self._backing_off: set[str] = set()
        self._activity_keys: set[tuple[str, str, int]] = set()
        self._timers_firing = 0
        self._running = False
        self._stopping = False

        # Timer wake-up hints (the timers table is the truth); guarded by _timer_changed's own lock.
        # Lock order: _lock, then _timer_changed — never the other way round.
        self._timer_changed = threading.Condition()
        self._timer_heap: list[tuple[datetime, int, tuple[str, str, int]]] = []
        self._timer_counter = itertools.count()

        # Per-instance cache of the row and history: only the worker running an instance touches its entry.
        self._cache: dict[str, _CachedInstance] = {}

        self._threads: list[threading.Thread] = []
        self._activity_pool: ThreadPoolExecutor | None = None
        self._unsubscribe_clock: Callable[[], None] | None = None
        self._activity_loop = activity_loop
        self._own_loop: asyncio.AbstractEventLoop | None = None
        self._own_loop_thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        """Create the schema if needed, then resume everything pending in PostgreSQL and start dispatching."""
        if self._running:
            return
        self._store.open()
        self._store.ensure_schema()
        with self._lock:
            self._stopping = False
        self._activity_pool = ThreadPoolExecutor(
            self._max_workers, thread_name_prefix=f"{self.hub_name}-activity"
        )
        for index in range(self._max_workers):
            self._spawn(self._orchestration_worker, f"{self.hub_name}-orchestrator-{index}")
        self._spawn(self._timer_scheduler, f"{self.hub_name}-timers")
        self._unsubscribe_clock = self.clock.subscribe(self._wake_timer_scheduler)
        self._running = True

        timers = self._store.pending_timers()
        self._add_timers(timers)
        activities = self._store.pending_activities()
        for activity in activities:
            self._submit_activity(activity)
        instances = self._store.instances_with_messages()
        for instance_id in instances:
            self._notify(instance_id)
        self._log.info(
            "task hub %s started: resumed %d instance(s) with queued work, %d activity(ies), %d timer(s)",
            self.hub_name,
            len(instances),
            len(activities),
            len(timers),
        )

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the episodes in progress and wait (up to `timeout`) for running activities; activities not
        started yet stay scheduled in PostgreSQL and run after the next start()."""
        if not self._running:
            return
        deadline = time.monotonic() + timeout
        with self._lock:
            self._stopping = True
            self._work_ready.notify_all()
            self._idle_changed.notify_all()
        self._wake_timer_scheduler()
        if self._unsubscribe_clock is not None:
            self._unsubscribe_clock()
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._activity_pool is not None:
            self._activity_pool.shutdown(wait=False, cancel_futures=True)
            with self._lock:
                while self._activity_keys and time.monotonic() < deadline:
                    self._idle_changed.wait(0.05)
                abandoned = len(self._activity_keys)
            if abandoned:
                self._log.warning(
                    "task hub %s stopped with %d activity(ies) still running", self.hub_name, abandoned
                )
        if self._own_loop is not None:
            self._own_loop.call_soon_threadsafe(self._own_loop.stop)
            if self._own_loop_thread is not None:
                self._own_loop_thread.join(5)
            self._own_loop = None
        self._store.close()
        self._threads.clear()
        self._cache.clear()
        with self._lock:  # start() queues again whatever PostgreSQL says is pending
            self._ready.clear()
            self._queued.clear()
            self._dirty.clear()
        with self._timer_changed:
            self._timer_heap.clear()
        self._running = False
        self._log.info("task hub %s stopped", self.hub_name)

    def wait_for_idle(self, timeout: float) -> bool:
        """True once no episode is queued or running, no activity is queued or running and no timer is due
        (timers in the future do not count); False if that does not happen within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._is_idle_locked():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                # Short waits: a timer becoming due is a change nobody signals.
                self._idle_changed.wait(min(remaining, 0.05))
            return True

    # -- client operations -----------------------------------------------------------------------------

    def start_new(self, name: str, instance_id: str | None = None, input_json: str | None = None) -> str:
        """Start orchestrator `name` (input given as JSON text); returns the instance id.

        As on Azure, an id whose instance is pending or running is refused (InstanceExists); a completed,
        failed or terminated one starts over with a fresh history."""
        if name not in self._orchestrators:
            raise OrchestratorNotFound(f"no orchestrator function named '{name}' is registered")
        instance_id = instance_id or uuid.uuid4().hex
        self._store.create_instance(instance_id, name, input_json, uuid.uuid4().hex, self.clock.now())
        self._cache.pop(instance_id, None)  # a restarted id starts from a fresh row and history
        self._log.info(
            "instance %s of %s scheduled (input %d bytes)", instance_id, name, len(input_json or "")
        )
        self._notify(instance_id)
        return instance_id

    def raise_event(self, instance_id: str, name: str, data_json: str | None = None) -> None:
        """Deliver event `name` with `data_json` (the JSON text the orchestrator's task will decode).

        InstanceNotFound (404) if there is no such instance, InstanceGone (410) if it has finished. An event
        the orchestrator is not waiting for yet is kept in its history and delivered when it waits."""
        event = new_event(EventType.EVENT_RAISED, self.clock.now(), Name=name, Input=data_json)
        self._store.add_message(instance_id, "event", event, self.clock.now())
        self._log.info("event %s raised for %s (%d bytes)", name, instance_id, len(data_json or ""))
        self._notify(instance_id)

    def terminate(self, instance_id: str, reason: str | None = None) -> None:
        """Ask for termination (applied by the next episode, as on Azure); 404/410 errors as raise_event."""
        self._store.add_message(instance_id, "terminate", {"reason": reason}, self.clock.now())
        self._log.info("termination requested for %s", instance_id)
        self._notify(instance_id)

    def get_status(
        self,
        instance_id: str,
        show_history: bool = False,
        show_input: bool = True,
        show_history_output: bool = False,
    ) -> dict[str, Any] | None:
        """The instance's status in the Durable HTTP API's JSON shape, or None if there is no such instance."""
        row = self._store.load_instance(instance_id)
        if row is None:
            return None
        status = _status_json(row, show_input)
        if show_history:
            status["historyEvents"] = _history_json(
                self._store.load_history(instance_id), show_history_output
            )
        return status

    def list_instances(
        self,
        runtime_status: Iterable[str] | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        instance_id_prefix: str | None = None,
        top: int | None = None,
        show_input: bool = True,
    ) -> list[dict[str, Any]]:
        rows = self._store.list_instances(runtime_status, created_from, created_to, instance_id_prefix, top)
        return [_status_json(row, show_input) for row in rows]

    def purge(self, instance_id: str) -> bool:
        """Delete a finished instance and its history; False if none, InstanceNotTerminal if still running."""
        purged = self._store.purge(instance_id)
        if purged:
            self._cache.pop(instance_id, None)
        return purged

    # -- dispatch --------------------------------------------------------------------------------------

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _notify(self, instance_id: str) -> None:
        """New work for `instance_id`: queue it, or mark it for another run if a worker has it now."""
        with self._lock:
            self._enqueue_locked(instance_id)

    def _enqueue_locked(self, instance_id: str) -> None:
        if self._stopping:
            return
        if instance_id in self._in_flight:
            self._dirty.add(instance_id)
        elif instance_id not in self._queued:
            self._queued.add(instance_id)
            self._ready.append(instance_id)
            self._work_ready.notify()

    def _is_idle_locked(self) -> bool:
        if (
            self._ready
            or self._in_flight
            or self._dirty
            or self._backing_off
            or self._activity_keys
            or self._timers_firing
        ):
            return False
        with self._timer_changed:
            return not self._timer_heap or self._timer_heap[0][0] > self.clock.now()

    def _orchestration_worker(self) -> None:
        while True:
            with self._lock:
                while not self._ready and not self._stopping:
                    self._work_ready.wait()
                if self._stopping:
                    return
                instance_id = self._ready.popleft()
                self._queued.discard(instance_id)
                self._in_flight.add(instance_id)
            more, failed = False, False
            try:
                more = self._process_instance(instance_id)
            except Exception:
                failed = True
                self._cache.pop(instance_id, None)
                self._log.exception(
                    "episode of %s failed; retrying in %.0f s", instance_id, _ERROR_BACKOFF_SECONDS
                )
            with self._lock:
                self._in_flight.discard(instance_id)
                rerun = instance_id in self._dirty
                self._dirty.discard(instance_id)
                if failed and not self._stopping:
                    self._backing_off.add(instance_id)
                    retry = threading.Timer(_ERROR_BACKOFF_SECONDS, self._retry_after_backoff, (instance_id,))
                    retry.daemon = True
                    retry.start()
                elif more or rerun:
                    self._enqueue_locked(instance_id)
                self._idle_changed.notify_all()

    def _retry_after_backoff(self, instance_id: str) -> None:
        with self._lock:
            self._backing_off.discard(instance_id)
            self._enqueue_locked(instance_id)
            self._idle_changed.notify_all()

    # -- episodes --------------------------------------------------------------------------------------

    def _process_instance(self, instance_id: str) -> bool:
        """Run one episode for the instance's queued messages; True if more are left for another one."""
        cached = self._cache.get(instance_id)
        if cached is None:
            instance = self._store.load_instance(instance_id)
            if instance is None:
                return False
            if instance.status in TERMINAL_STATES:
                # As on Azure: work arriving for a finished instance is dropped (events raised after the end,
                # results of activities that were still running).
                messages = self._store.load_messages(instance_id, _BATCH_LIMIT)
                if messages:
                    self._store.discard_messages(instance_id, instance.version, [m.id for m in messages])
                    self._log.debug(
                        "dropped %d message(s) for %s instance %s",
                        len(messages),
                        instance.status,
                        instance_id,
                    )
                return len(messages) == _BATCH_LIMIT
            history = InstanceHistory.rebuild(instance.execution_id, self._store.load_history(instance_id))
            cached = _CachedInstance(instance, history)
            self._cache[instance_id] = cached
        # A cached instance is trusted without reading its row again: every write is guarded by the row's
        # version, so if anything else changed it, the write is refused and the instance is reloaded.
        messages = self._store.load_messages(instance_id, _BATCH_LIMIT)
        if not messages:
            return False
        more = len(messages) == _BATCH_LIMIT
        instance, state = cached.row, cached.history

        terminate = next((m for m in messages if m.kind == "terminate"), None)
        if terminate is not None:
            self._terminate_instance(instance, state, messages, terminate)
            return more

        batch, stale, stopped_early = _select_batch(instance, state, messages)
        if not batch:
            if stale and not self._store.discard_messages(
                instance_id, instance.version, [m.id for m in stale]
            ):
                self._reload_later(instance_id)
            return more or stopped_early
        self._run_episode(cached, batch, stale)
        return more or stopped_early

    def _reload_later(self, instance_id: str) -> None:
        """The instance changed under us (nothing was written): forget the cache and run it again."""
        self._cache.pop(instance_id, None)
        self._log.warning("instance %s changed during its episode; running it again", instance_id)
        with self._lock:
            self._dirty.add(instance_id)

    def _run_episode(self, cached: _CachedInstance, batch: list[MessageRow], stale: list[MessageRow]) -> None:
        instance, state = cached.row, cached.history
        instance_id, execution_id = instance.instance_id, instance.execution_id
        now = self.clock.now()
        first_new = len(state.events)
        recorded: list[tuple[dict[str, Any], dict[str, Any] | None]] = []

        def record(event: dict[str, Any], meta: dict[str, Any] | None = None) -> None:
            state.apply(event, meta)
            recorded.append((event, meta))

        new_activities: list[ActivityRow] = []
        new_timers: list[TimerRow] = []
        triggers: list[str] = []
        scheduled: list[str] = []  # for the log line

        record(new_event(EventType.ORCHESTRATOR_STARTED, now))
        for message in batch:
            if message.kind == "start":
                record(
                    new_event(
                        EventType.EXECUTION_STARTED,
                        now,
                        Name=instance.name,
                        Input=instance.input,
                        Version="",
                        OrchestrationInstance={"InstanceId": instance_id, "ExecutionId": execution_id},
                    )
                )
                triggers.append("start")
                continue
            event = message.payload
            retry = state.retry_group_for(event)
            record(event)
            triggers.append(_describe_event(event, state))
            if retry is None:
                continue
            # The library takes the next sequence number itself for a retry's timer (after a failed attempt)
            # and for the next attempt (when that timer fires); record the same numbers.
            if event["EventType"] == EventType.TASK_FAILED:
                timer_id = state.next_sequence
                delay = retry.policy.delay_after(retry.attempts) if not retry.exhausted else None
                fire_at = now + delay if delay is not None else now  # after the last attempt: fire at once
                record(
                    new_event(EventType.TIMER_CREATED, now, timer_id, FireAt=format_timestamp(fire_at)),
                    {"retryOf": retry.first_task_id},
                )
                new_timers.append(TimerRow(instance_id, execution_id, timer_id, fire_at))
                scheduled.append(f"retry timer#{timer_id} of {retry.name}")
            elif not retry.exhausted:
                task_id = state.next_sequence
                record(
                    new_event(EventType.TASK_SCHEDULED, now, task_id, Name=retry.name, Input=retry.input),
                    {"retryOf": retry.first_task_id},
                )
                new_activities.append(
                    ActivityRow(instance_id, execution_id, task_id, retry.name, retry.input)
                )
                scheduled.append(f"retry {retry.attempts} of {retry.name}#{task_id}")

        handle = self._orchestrators.get(instance.name)
        if handle is None:
            outcome = OrchestratorOutcome(
                is_done=False, error=f"orchestrator function '{instance.name}' is not registered in this app"
            )
        else:
            context = build_context(instance_id, state.events, first_new, instance.input)
            try:
                outcome = invoke_orchestrator(handle, context)
            except Exception as exc:  # an answer we cannot read is a failure of the instance, not of the hub
                outcome = OrchestratorOutcome(is_done=False, error=f"unreadable orchestrator result: {exc!r}")

        sequenced = [action for action in outcome.actions if action.sequenced]
        known_steps = list(state.steps)
        error = outcome.error
        if error is None:
            error = _find_nondeterminism(known_steps, sequenced)
            if error is not None:
                self._log.error(
                    "!!! %s: instance %s (%s) fails: %s", "NON-DETERMINISM", instance_id, instance.name, error
                )
        if error is None:
            unsupported = next((a for a in outcome.actions if a.type not in SUPPORTED_ACTIONS), None)
            if unsupported is not None:
                error = (
                    f"devhost's task hub does not support {unsupported.kind} (used by '{instance.name}'); "
                    "see devhost/durable/README.md"
                )

        cancelled: list[int] = []
        continue_as_new = None if error else outcome.continue_as_new
        if error is None and continue_as_new is None and not outcome.is_done:
            for action in sequenced[len(known_steps) :]:
                sequence = state.next_sequence
                scheduled.append(_describe_step(action, sequence))
                if action.type in (ActionType.CALL_ACTIVITY, ActionType.CALL_ACTIVITY_WITH_RETRY):
                    meta: dict[str, Any] = {"action": action.kind}
                    if action.type == ActionType.CALL_ACTIVITY_WITH_RETRY:
                        meta["retry"] = RetryPolicy.from_options(
                            action.raw.get("retryOptions") or {}
                        ).to_json()
                    name, task_input = action.raw["functionName"], action.raw.get("input")
                    record(
                        new_event(EventType.TASK_SCHEDULED, now, sequence, Name=name, Input=task_input), meta
                    )
                    new_activities.append(ActivityRow(instance_id, execution_id, sequence, name, task_input))
                elif action.type == ActionType.CREATE_TIMER:
                    record(
                        new_event(EventType.TIMER_CREATED, now, sequence, FireAt=action.raw["fireAt"]),
                        {"action": "CreateTimer"},
                    )
                    if action.raw.get("isCanceled"):
                        state.cancelled_timers.add(sequence)
                    else:
                        new_timers.append(
                            TimerRow(
                                instance_id, execution_id, sequence, parse_timestamp(action.raw["fireAt"])
                            )
                        )
            # A cancelled timer is not a new action: `isCanceled` flips on the one emitted before.
            for step, action in zip(known_steps, sequenced, strict=False):
                if (
                    action.type == ActionType.CREATE_TIMER
                    and action.raw.get("isCanceled")
                    and step.sequence not in state.completed_ids
                    and step.sequence not in state.cancelled_timers
                ):
                    state.cancelled_timers.add(step.sequence)
                    cancelled.append(step.sequence)

        custom_status = None if outcome.custom_status is None else json.dumps(outcome.custom_status)
        output: str | None = None
        finished = False
        if error is not None:
            status, finished = "Failed", True
            output = json.dumps(f"Orchestrator function '{instance.name}' failed: {error}")
            record(new_event(EventType.EXECUTION_COMPLETED, now, OrchestrationStatus="Failed", Result=output))
        elif continue_as_new is not None:
            status = "ContinuedAsNew"
        elif outcome.is_done:
            status, finished = "Completed", True
            output = json.dumps(outcome.output)
            record(
                new_event(EventType.EXECUTION_COMPLETED, now, OrchestrationStatus="Completed", Result=output)
            )
        else:
            status = "Running"
        record(new_event(EventType.ORCHESTRATOR_COMPLETED, now))

        write = EpisodeWrite(
            instance_id=instance_id,
            expected_version=instance.version,
            execution_id=execution_id,
            status=status,
            custom_status=custom_status,
            now=now,
            first_position=first_new,
            new_events=recorded,
            output=output,
            consumed_message_ids=[m.id for m in batch] + [m.id for m in stale],
            new_activities=new_activities,
            new_timers=new_timers,
            cancelled_timer_ids=cancelled,
            finished=finished,
            continue_as_new=(uuid.uuid4().hex, continue_as_new.raw.get("input")) if continue_as_new else None,
        )
        new_version = self._store.commit_episode(write)
        if new_version is None:
            # Someone else changed the instance (a restart through start_new, a second hub).
            self._reload_later(instance_id)
            return
        if finished or continue_as_new is not None:
            self._cache.pop(instance_id, None)
        else:
            cached.row = dataclasses.replace(
                instance, status=status, custom_status=custom_status, last_updated_at=now, version=new_version
            )
        if continue_as_new is not None:
            with self._lock:  # the new execution's start message is queued: run the instance again
                self._dirty.add(instance_id)

        for activity in new_activities:
            self._submit_activity(activity)
        self._add_timers(new_timers)
        self._log.info(
            "orchestration %s (%s) episode [%s] -> %s; new: %s%s; custom status: %s",
            instance_id,
            instance.name,
            ", ".join(triggers),
            status if error is None else f"Failed ({_clip(error)})",
            ", ".join(scheduled) or "nothing",
            f"; cancelled timer(s) {cancelled}" if cancelled else "",
            _clip(custom_status) if custom_status is not None else "none",
        )

    def _terminate_instance(
        self, instance: InstanceRow, state: InstanceHistory, messages: list[MessageRow], request: MessageRow
    ) -> None:
        now = self.clock.now()
        reason = request.payload.get("reason")
        output = json.dumps(reason)
        event = new_event(EventType.EXECUTION_TERMINATED, now, Input=output)
        write = EpisodeWrite(
            instance_id=instance.instance_id,
            expected_version=instance.version,
            execution_id=instance.execution_id,
            status="Terminated",
            custom_status=instance.custom_status,
            now=now,
            first_position=len(state.events),
            new_events=[(event, None)],
            output=output,
            consumed_message_ids=[m.id for m in messages],
            finished=True,
        )
        if self._store.commit_episode(write) is None:
            self._reload_later(instance.instance_id)
            return
        self._cache.pop(instance.instance_id, None)
        self._log.info("orchestration %s (%s) terminated", instance.instance_id, instance.name)

    # -- activities ------------------------------------------------------------------------------------

    def _submit_activity(self, activity: ActivityRow) -> None:
        key = (activity.instance_id, activity.execution_id, activity.task_id)
        with self._lock:
            if self._stopping or key in self._activity_keys or self._activity_pool is None:
                return
            self._activity_keys.add(key)
            pool = self._activity_pool
        try:
            future = pool.submit(self._run_activity, activity)
        except RuntimeError:  # the pool shut down meanwhile; the row stays for the next start
            self._activity_finished(key)
            return
        future.add_done_callback(lambda _f, key=key: self._activity_finished(key))

    def _activity_finished(self, key: tuple[str, str, int]) -> None:
        with self._lock:
            self._activity_keys.discard(key)
            self._idle_changed.notify_all()

    def _run_activity(self, activity: ActivityRow) -> None:
        label = f"activity {activity.name}#{activity.task_id} of {activity.instance_id}"
        self._log.info("%s started (input %d bytes)", label, len(activity.input or ""))
        started = time.perf_counter()
        try:
            result_json = self._call_activity(activity)
            event = new_event(
                EventType.TASK_COMPLETED,
                self.clock.now(),
                TaskScheduledId=activity.task_id,
                Result=result_json,
            )
            self._log.info(
                "%s completed in %.0f ms (result %d bytes)",
                label,
                (time.perf_counter() - started) * 1000,
                len(result_json or ""),
            )
        except Exception as exc:
            event = new_event(
                EventType.TASK_FAILED,
                self.clock.now(),
                TaskScheduledId=activity.task_id,
                Reason=f"Activity function '{activity.name}' failed: {type(exc).__name__}: {exc}",
                Details=traceback.format_exc(),
            )
            self._log.warning(
                "%s failed in %.0f ms: %s: %s",
                label,
                (time.perf_counter() - started) * 1000,
                type(exc).__name__,
                _clip(str(exc)),
            )
        # Keep trying while the hub runs (the database may be restarting): an activity whose result is not
        # recorded runs again only after the next start, so giving up early would stall its instance.
        attempt = 0
        while True:
            try:
                if self._store.complete_activity(activity, event, self.clock.now()):
                    self._notify(activity.instance_id)
                else:
                    self._log.debug("%s: result dropped (instance finished or restarted)", label)
                return
            except Exception as exc:
                if self._stopping:
                    # The activity's row is still there: it runs again after the next start (at least once).
                    self._log.exception("%s: could not record its result; it will run again", label)
                    return
                attempt += 1
                if attempt in (1, 10) or attempt % 60 == 0:
                    self._log.warning("%s: could not record its result (attempt %d), retrying: %s", label,
                                      attempt, _clip(str(exc)))  # fmt: skip
                time.sleep(min(0.25 * 2**attempt, 2.0))

    def _call_activity(self, activity: ActivityRow) -> str:
        function = self._activities.get(activity.name)
        if function is None:
            raise LookupError(f"no activity function named '{activity.name}' is registered in this app")
        parameter = self._param_names.get(activity.name)
        if not parameter:
            raise LookupError(f"the input parameter name of activity '{activity.name}' is unknown")
        # Decode and encode exactly as the Python worker's activity trigger converter does.
        value = ActivityTriggerConverter.decode(
            Datum(activity.input or "null", "json"), trigger_metadata=None
        )
        result = function(**{parameter: value})
        if inspect.isawaitable(result):
            result = self._await(result)
        return ActivityTriggerConverter.encode(result, expected_type=None).value

    def _await(self, awaitable: Any) -> Any:
        """Run an async activity's coroutine on the activity loop and wait for it in this worker thread."""
        loop = self._activity_loop or self._ensure_own_loop()
        future: Future[Any] = asyncio.run_coroutine_threadsafe(_as_coroutine(awaitable), loop)
        return future.result()

    def _ensure_own_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._own_loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name=f"{self.hub_name}-async", daemon=True)
                thread.start()
                self._own_loop, self._own_loop_thread = loop, thread
            return self._own_loop

    # -- timers ----------------------------------------------------------------------------------------

    def _add_timers(self, timers: Iterable[TimerRow]) -> None:
        with self._timer_changed:
            added = False
            for timer in timers:
                key = (timer.instance_id, timer.execution_id, timer.timer_id)
                heapq.heappush(self._timer_heap, (timer.fire_at, next(self._timer_counter), key))
                added = True
            if added:
                self._timer_changed.notify_all()

    def _wake_timer_scheduler(self) -> None:
        with self._timer_changed:
            self._timer_changed.notify_all()

    def _timer_scheduler(self) -> None:
        """Sleep until the earliest timer is due (or a timer is added, or the clock moves), then fire."""
        while True:
            with self._timer_changed:
                if self._stopping:
                    return
                if not self._timer_heap:
                    self._timer_changed.wait()
                    continue
                wait = (self._timer_heap[0][0] - self.clock.now()).total_seconds()
                if wait > 0:
                    self._timer_changed.wait(min(wait, 60.0))
                    continue
            with self._lock:
                with self._timer_changed:
                    now = self.clock.now()
                    while self._timer_heap and self._timer_heap[0][0] <= now:
                        heapq.heappop(self._timer_heap)
                self._timers_firing += 1
            try:
                self._fire_due_timers(now)
            except Exception:
                self._log.exception("firing due timers failed; retrying in %.0f s", _ERROR_BACKOFF_SECONDS)
                # Keep a wake-up hint so the due timers (still unfired in the table) are tried again.
                self._add_timers([TimerRow("", "", -1, now)])
                time.sleep(_ERROR_BACKOFF_SECONDS)
            finally:
                with self._lock:
                    self._timers_firing -= 1
                    self._idle_changed.notify_all()

    def _fire_due_timers(self, now: datetime) -> None:
        while True:
            fired = self._store.fire_due_timers(now)
            for timer in fired:
                self._log.info("timer #%d of %s fired", timer.timer_id, timer.instance_id)
                self._notify(timer.instance_id)
            if len(fired) < 500:
                return


@dataclasses.dataclass
class _CachedInstance:
    row: InstanceRow
    history: InstanceHistory


def _select_batch(
    instance: InstanceRow, state: InstanceHistory, messages: list[MessageRow]
) -> tuple[list[MessageRow], list[MessageRow], bool]:
    """The messages one episode takes, the stale ones it discards, and whether it stopped before the end.

    A retry step (a failed attempt, or the timer between attempts) gets an episode of its own: while
    processing it the library takes a sequence number internally, and only alone is that number known."""
    batch: list[MessageRow] = []
    stale: list[MessageRow] = []
    seen_completions: set[int] = set()
    started = state.started
    for message in messages:
        if message.kind == "start":
            if message.execution_id != instance.execution_id or started:
                stale.append(message)
            else:
                batch.append(message)
                started = True
            continue
        if message.execution_id is not None and message.execution_id != instance.execution_id:
            stale.append(message)  # the result of an activity or timer of an earlier execution
            continue
        if not started:
            return batch, stale, True  # cannot happen (start is queued first), but never deliver before it
        event = message.payload
        completion = state.completion_id(event)
        if completion is not None and (
            completion in seen_completions or state.is_duplicate_completion(event)
        ):
            stale.append(message)
            continue
        if state.retry_group_for(event) is not None:
            if batch:
                return batch, stale, True
            return [message], stale, True
        if completion is not None:
            seen_completions.add(completion)
        batch.append(message)
    return batch, stale, False


def _find_nondeterminism(steps: list[ScheduledStep], sequenced: list[Action]) -> str | None:
    """Compare the replayed actions with the TaskScheduled/TimerCreated the history recorded, in order."""
    for index, step in enumerate(steps):
        if index >= len(sequenced):
            return (
                f"non-deterministic orchestrator: expected {step.describe()} at step {index + 1}, "
                "got no action (the replay ended or waited earlier than before)"
            )
        action = sequenced[index]
        same_name = step.name is None or action.raw.get("functionName") == step.name
        if action.kind != step.kind or not same_name:
            return (
                f"non-deterministic orchestrator: expected {step.describe()} at step {index + 1}, "
                f"got {action.describe()}"
            )
    return None


def _describe_step(action: Action, sequence: int) -> str:
    if action.type == ActionType.CREATE_TIMER:
        suffix = " (cancelled)" if action.raw.get("isCanceled") else ""
        return f"CreateTimer#{sequence} @{action.raw.get('fireAt')}{suffix}"
    return f"{action.describe()}#{sequence}"


def _describe_event(event: dict[str, Any], state: InstanceHistory) -> str:
    event_type = event["EventType"]
    if event_type == EventType.EVENT_RAISED:
        return f"EventRaised {event.get('Name')}"
    if event_type in (EventType.TASK_COMPLETED, EventType.TASK_FAILED):
        task_id = int(event["TaskScheduledId"])
        return f"{EVENT_NAMES[event_type]} {state.task_names.get(task_id, '?')}#{task_id}"
    if event_type == EventType.TIMER_FIRED:
        return f"TimerFired #{event['TimerId']}"
    return EVENT_NAMES.get(event_type, str(event_type))


def _clip(text: str) -> str:
    return text if len(text) <= _LOG_VALUE_LIMIT else text[:_LOG_VALUE_LIMIT] + "..."


async def _as_coroutine(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _loads_or_text(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _status_time(moment: datetime) -> str:
    return format_timestamp(moment)[:19] + "Z"  # the HTTP API's "s" format: whole seconds


def _status_json(row: InstanceRow, show_input: bool) -> dict[str, Any]:
    return {
        "name": row.name,
        "instanceId": row.instance_id,
        "runtimeStatus": row.status,
        "input": _loads_or_text(row.input) if show_input else None,
        "customStatus": _loads_or_text(row.custom_status),
        "output": _loads_or_text(row.output),
        "createdTime": _status_time(row.created_at),
        "lastUpdatedTime": _status_time(row.last_updated_at),
    }


def _history_json(
    rows: list[tuple[dict[str, Any], dict[str, Any] | None]], show_output: bool
) -> list[dict[str, Any]]:
    """History as the HTTP API shows it: named event types, no episode markers, payloads on request."""
    task_names: dict[int, str] = {}
    shown: list[dict[str, Any]] = []
    for event, _meta in rows:
        event_type = event["EventType"]
        if event_type in (EventType.ORCHESTRATOR_STARTED, EventType.ORCHESTRATOR_COMPLETED):
            continue
        item: dict[str, Any] = {
            "EventType": EVENT_NAMES.get(event_type, str(event_type)),
            "EventId": event.get("EventId", -1),
            "Timestamp": event.get("Timestamp"),
        }
        payload_key: str | None = None
        if event_type == EventType.EXECUTION_STARTED:
            item["FunctionName"] = event.get("Name")
            payload_key = "Input"
        elif event_type == EventType.TASK_SCHEDULED:
            task_names[int(event["EventId"])] = event.get("Name") or ""
            item["FunctionName"] = event.get("Name")
            payload_key = "Input"
        elif event_type in (EventType.TASK_COMPLETED, EventType.TASK_FAILED):
            item["FunctionName"] = task_names.get(int(event["TaskScheduledId"]))
            item["TaskScheduledId"] = event["TaskScheduledId"]
            if event_type == EventType.TASK_FAILED:
                item["Reason"] = event.get("Reason")
                payload_key = "Details"
            else:
                payload_key = "Result"
        elif event_type == EventType.TIMER_CREATED:
            item["FireAt"] = event.get("FireAt")
        elif event_type == EventType.TIMER_FIRED:
            item["TimerId"] = event.get("TimerId")
            item["FireAt"] = event.get("FireAt")
        elif event_type == EventType.EVENT_RAISED:
            item["Name"] = event.get("Name")
            payload_key = "Input"
        elif event_type == EventType.EXECUTION_COMPLETED:
            item["OrchestrationStatus"] = event.get("OrchestrationStatus")
            payload_key = "Result"
        elif event_type == EventType.EXECUTION_TERMINATED:
            payload_key = "Input"
        if show_output and payload_key is not None:
            item[payload_key] = event.get(payload_key)
        shown.append(item)
    return shown
