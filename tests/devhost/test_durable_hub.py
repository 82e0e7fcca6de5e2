"""The task hub running real orchestrators (azure-functions-durable's replay) against real PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from devhost.clock import Clock
from devhost.durable import InstanceExists, InstanceGone, InstanceNotFound, OrchestratorNotFound, TaskHub
from devhost.durable.protocol import EventType
from tests.devhost import toy_app
from tests.devhost.conftest import MakeHub, settle, wait_until
from tests.devhost.toy_app import RUNS


def event_types(hub: TaskHub, instance_id: str) -> list[str]:
    status = hub.get_status(instance_id, show_history=True)
    assert status is not None
    return [event["EventType"] for event in status["historyEvents"]]


def test_replays_activities_in_order_with_parallel_tasks_and_an_async_activity(hub: TaskHub) -> None:
    instance_id = hub.start_new("greetings", input_json=json.dumps(["ann", "bob"]))
    settle(hub)

    status = hub.get_status(instance_id, show_history=True, show_history_output=True)
    assert status is not None
    assert status["runtimeStatus"] == "Completed"
    assert status["name"] == "greetings"
    assert status["input"] == ["ann", "bob"]
    assert status["output"] == {
        "results": ["hello ann", "hello bob"],
        "doubled": 4,
        "together": ["hello x", "hello y"],
    }
    assert status["customStatus"] == {"step": 2, "of": 2}
    assert status["createdTime"].endswith("Z") and status["lastUpdatedTime"].endswith("Z")
    scheduled = [e for e in status["historyEvents"] if e["EventType"] == "TaskScheduled"]
    assert [(e["EventId"], e["FunctionName"]) for e in scheduled] == [
        (0, "greet"),
        (1, "greet"),
        (2, "double"),
        (3, "greet"),
        (4, "greet"),
    ]
    completed = [e for e in status["historyEvents"] if e["EventType"] == "TaskCompleted"]
    assert sorted(e["TaskScheduledId"] for e in completed) == [0, 1, 2, 3, 4]
    assert status["historyEvents"][-1]["EventType"] == "ExecutionCompleted"
    assert RUNS.count("greet", "ann") >= 1 and RUNS.count("double", 2) >= 1


def test_status_hides_input_on_request_and_unknown_instances_have_none(hub: TaskHub) -> None:
    instance_id = hub.start_new("waits_forever", "status-check", json.dumps({"secret": 1}))
    settle(hub)
    status = hub.get_status(instance_id, show_input=False)
    assert status is not None
    assert status["runtimeStatus"] == "Running"
    assert status["input"] is None
    assert status["customStatus"] == "waiting"
    assert "historyEvents" not in status
    assert hub.get_status("no-such-instance") is None
    listed = hub.list_instances(runtime_status=["Running"], instance_id_prefix="status-")
    assert [s["instanceId"] for s in listed] == ["status-check"]


def test_durable_timer_fires_when_the_clock_is_advanced(hub: TaskHub, clock: Clock) -> None:
    instance_id = hub.start_new("nap_then_greet")
    settle(hub)  # a timer an hour away does not keep the hub busy
    status = hub.get_status(instance_id)
    assert status is not None and status["runtimeStatus"] == "Running"
    assert status["customStatus"] == "asleep"

    clock.advance(30 * 60)
    settle(hub)
    assert hub.get_status(instance_id)["runtimeStatus"] == "Running"

    clock.advance(31 * 60)
    settle(hub)
    status = hub.get_status(instance_id, show_history=True)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == "hello after the nap"
    assert status["customStatus"] == "awake"
    assert "TimerFired" in [e["EventType"] for e in status["historyEvents"]]


def test_events_raised_before_the_orchestrator_waits_are_kept_and_delivered_in_order(hub: TaskHub) -> None:
    instance_id = hub.start_new("gate_then_two_answers", input_json=json.dumps("early-events"))
    wait_until(lambda: RUNS.count("wait_at_gate", "early-events") == 1)
    hub.raise_event(instance_id, "answer_1", json.dumps("first answer"))
    hub.raise_event(instance_id, "answer_2", json.dumps({"text": "second answer"}))
    wait_until(lambda: event_types(hub, instance_id).count("EventRaised") == 2)
    assert hub.get_status(instance_id)["runtimeStatus"] == "Running"

    toy_app.gate("early-events").set()
    settle(hub)
    status = hub.get_status(instance_id)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == ["first answer", {"text": "second answer"}]
    types = event_types(hub, instance_id)
    assert types.index("EventRaised") < types.index("TaskCompleted")


def test_event_wins_the_race_and_the_cancelled_timer_never_fires(hub: TaskHub, clock: Clock) -> None:
    instance_id = hub.start_new("answer_or_timeout")
    settle(hub)
    hub.raise_event(instance_id, "answer", json.dumps("yes"))
    settle(hub)
    assert hub.get_status(instance_id)["output"] == {"answer": "yes"}

    clock.advance(20 * 60)
    settle(hub)
    status = hub.get_status(instance_id)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == {"answer": "yes"}
    assert "TimerFired" not in event_types(hub, instance_id)


def test_timer_wins_the_race_and_a_late_event_is_gone(hub: TaskHub, clock: Clock) -> None:
    instance_id = hub.start_new("answer_or_timeout")
    settle(hub)
    clock.advance(10 * 60 + 1)
    settle(hub)
    status = hub.get_status(instance_id)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == {"timed_out": True}
    with pytest.raises(InstanceGone):
        hub.raise_event(instance_id, "answer", json.dumps("too late"))


def test_activity_failure_surfaces_as_an_exception_the_orchestrator_catches(hub: TaskHub) -> None:
    instance_id = hub.start_new("catches_activity_failure")
    settle(hub)
    status = hub.get_status(instance_id, show_history=True)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"].startswith(
        "caught: Activity function 'refuse' failed: ValueError: cannot handle this input"
    )
    failed = [e for e in status["historyEvents"] if e["EventType"] == "TaskFailed"]
    assert len(failed) == 1 and failed[0]["FunctionName"] == "refuse"


def test_retry_waits_its_interval_on_the_clock_then_succeeds(hub: TaskHub, clock: Clock) -> None:
    instance_id = hub.start_new("retries_until_success", "retry-ok")
    settle(hub)
    assert RUNS.count("fails_twice", "retry-ok") == 1  # the retry waits for its 30 s timer
    clock.advance(31)
    settle(hub)
    assert RUNS.count("fails_twice", "retry-ok") == 2
    clock.advance(31)
    settle(hub)
    status = hub.get_status(instance_id, show_history=True)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == ["succeeded on attempt 3", "hello after retries"]
    ids = [(e["EventType"], e["EventId"]) for e in status["historyEvents"] if e["EventId"] >= 0]
    # The library numbers the retry's timers and attempts itself; the host must agree for replay to work.
    assert ids == [
        ("TaskScheduled", 0),
        ("TimerCreated", 1),
        ("TaskScheduled", 2),
        ("TimerCreated", 3),
        ("TaskScheduled", 4),
        ("TaskScheduled", 5),
    ]


def test_retry_gives_up_after_its_attempts_and_the_error_reaches_the_orchestrator(
    hub: TaskHub, clock: Clock
) -> None:
    instance_id = hub.start_new("retries_give_up", "retry-exhausted")
    settle(hub)
    clock.advance(31)
    settle(hub)
    status = hub.get_status(instance_id)
    assert status["runtimeStatus"] == "Completed"
    assert (
        "gave up: Activity function 'fails_twice' failed: RuntimeError: attempt 2 failed" in status["output"]
    )
    assert RUNS.count("fails_twice", "retry-exhausted") == 2


def test_orchestrator_exception_fails_the_instance_with_its_message(hub: TaskHub) -> None:
    instance_id = hub.start_new("explodes")
    settle(hub)
    status = hub.get_status(instance_id)
    assert status["runtimeStatus"] == "Failed"
    assert "the orchestrator gave up" in status["output"]
    assert status["output"].startswith("Orchestrator function 'explodes' failed")


def test_continue_as_new_restarts_with_the_new_input_and_a_fresh_history(hub: TaskHub) -> None:
    instance_id = hub.start_new("counts_to_three", input_json="1")
    settle(hub)
    status = hub.get_status(instance_id, show_history=True, show_history_output=True)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == 3
    assert status["input"] == 3
    assert status["customStatus"] == {"round": 3}
    started = [e for e in status["historyEvents"] if e["EventType"] == "ExecutionStarted"]
    assert [e["Input"] for e in started] == ["3"]  # only the last execution's history is kept
    assert [RUNS.count("greet", f"round {n}") for n in (1, 2, 3)] == [1, 1, 1]


def test_terminate_stops_the_instance_and_drops_its_pending_work(hub: TaskHub) -> None:
    instance_id = hub.start_new("gate_then_two_answers", input_json=json.dumps("terminated-gate"))
    wait_until(lambda: RUNS.count("wait_at_gate", "terminated-gate") == 1)
    hub.terminate(instance_id, "recruiter cancelled")
    wait_until(lambda: hub.get_status(instance_id)["runtimeStatus"] == "Terminated")

    toy_app.gate("terminated-gate").set()  # the activity finishes after the end: its result is dropped
    settle(hub)
    status = hub.get_status(instance_id, show_history=True)
    assert status["runtimeStatus"] == "Terminated"
    assert status["output"] == "recruiter cancelled"
    assert "TaskCompleted" not in [e["EventType"] for e in status["historyEvents"]]
    assert status["historyEvents"][-1]["EventType"] == "ExecutionTerminated"
    with pytest.raises(InstanceGone):
        hub.raise_event(instance_id, "answer_1", json.dumps("late"))
    with pytest.raises(InstanceGone):
        hub.terminate(instance_id, "again")
    with pytest.raises(InstanceNotFound):
        hub.raise_event("no-such-instance", "answer_1", "1")
    with pytest.raises(InstanceNotFound):
        hub.terminate("no-such-instance", "why")


def test_start_new_refuses_a_running_id_restarts_a_finished_one_and_checks_the_name(hub: TaskHub) -> None:
    hub.start_new("waits_forever", "interview-7")
    with pytest.raises(InstanceExists):
        hub.start_new("greetings", "interview-7", json.dumps(["again"]))
    hub.terminate("interview-7", "done")
    settle(hub)
    hub.start_new("greetings", "interview-7", json.dumps(["again"]))
    settle(hub)
    status = hub.get_status("interview-7", show_history=True)
    assert status["runtimeStatus"] == "Completed"
    assert status["name"] == "greetings"
    assert status["output"]["results"] == ["hello again"]
    assert "ExecutionTerminated" not in [e["EventType"] for e in status["historyEvents"]]
    with pytest.raises(OrchestratorNotFound):
        hub.start_new("no_such_orchestrator")


def test_purge_deletes_only_finished_instances(hub: TaskHub) -> None:
    from devhost.durable import InstanceNotTerminal

    running = hub.start_new("waits_forever")
    finished = hub.start_new("explodes")
    settle(hub)
    with pytest.raises(InstanceNotTerminal):
        hub.purge(running)
    assert hub.purge(finished) is True
    assert hub.get_status(finished) is None
    assert hub.purge(finished) is False


def test_a_changed_orchestrator_fails_the_replay_with_a_clear_message(
    make_hub: MakeHub, caplog: pytest.LogCaptureFixture
) -> None:
    first = make_hub()
    instance_id = first.start_new("greet_then_wait")
    settle(first)
    first.stop()

    changed = dict(toy_app.registry().orchestrators)
    changed.update(toy_app.changed_registry().orchestrators)
    second = make_hub(orchestrators=changed)
    with caplog.at_level(logging.ERROR, logger="devhost.durable.test"):
        second.raise_event(instance_id, "go", "null")
        settle(second)
    status = second.get_status(instance_id)
    assert status["runtimeStatus"] == "Failed"
    assert (
        "non-deterministic orchestrator: expected CallActivity 'greet' at step 1, got CallActivity 'double'"
        in status["output"]
    )
    assert any("NON-DETERMINISM" in record.getMessage() for record in caplog.records)


def test_unsupported_sub_orchestration_fails_clearly(hub: TaskHub) -> None:
    instance_id = hub.start_new("uses_sub_orchestrator")
    settle(hub)
    status = hub.get_status(instance_id)
    assert status["runtimeStatus"] == "Failed"
    assert "does not support CallSubOrchestrator" in status["output"]


def test_logs_name_steps_and_activities_but_never_activity_inputs(
    hub: TaskHub, caplog: pytest.LogCaptureFixture
) -> None:
    phone = "+15557654321"
    with caplog.at_level(logging.INFO, logger="devhost.durable.test"):
        instance_id = hub.start_new("greetings", input_json=json.dumps([phone]))
        settle(hub)
    messages = [record.getMessage() for record in caplog.records]
    assert not any(phone in message for message in messages)
    assert any(f"orchestration {instance_id} (greetings) episode [start]" in m for m in messages)
    assert any("CallActivity 'greet'#0" in m for m in messages)
    assert any(f"activity greet#0 of {instance_id} completed" in m for m in messages)


def test_history_timestamps_parse_as_dateutil_does_and_repeats_come_from_the_cache(hub: TaskHub) -> None:
    from azure.durable_functions.models.history import HistoryEvent as Event
    from dateutil.parser import parse

    from devhost.durable.protocol import cache_history_timestamps, format_timestamp, new_event

    cache_history_timestamps()  # the hub installed it already: a second call must not wrap it again
    event = new_event(EventType.TIMER_FIRED, datetime(2026, 11, 26, 23, 4, 0, 123456, tzinfo=UTC), 3)
    first, again = Event(**event, IsPlayed=True), Event(**event, IsPlayed=True)
    expected = parse(format_timestamp(datetime(2026, 11, 26, 23, 4, 0, 123456, tzinfo=UTC)))
    assert (first.timestamp, repr(first.timestamp.tzinfo)) == (expected, repr(expected.tzinfo))
    assert again.timestamp is first.timestamp  # served from the cache, not parsed again
