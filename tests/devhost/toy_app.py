"""A small Durable Functions app for the task hub's tests, written as the real app is (v2 model, DFApp).

Activities record each run in `RUNS` so tests can tell how often they ran; `step` also appends to the file
named by DEVHOST_TEST_STEP_LOG, which survives a killed process.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections import Counter
from datetime import timedelta
from functools import cache

import azure.durable_functions as df
import azure.functions as func

from devhost.durable.registry import DurableFunctions, durable_functions

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


class Runs:
    """Thread-safe count of activity runs, by (activity, input)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def record(self, activity: str, key: object) -> int:
        with self._lock:
            self._counts[(activity, str(key))] += 1
            return self._counts[(activity, str(key))]

    def count(self, activity: str, key: object) -> int:
        with self._lock:
            return self._counts[(activity, str(key))]


RUNS = Runs()
_gates: dict[str, threading.Event] = {}
_gates_lock = threading.Lock()


def gate(name: str) -> threading.Event:
    with _gates_lock:
        return _gates.setdefault(name, threading.Event())


def open_all_gates() -> None:
    with _gates_lock:
        for event in _gates.values():
            event.set()


# -- activities ------------------------------------------------------------------------------------------


@app.activity_trigger(input_name="name")
def greet(name: str) -> str:
    RUNS.record("greet", name)
    return f"hello {name}"


@app.activity_trigger(input_name="value")
async def double(value: int) -> int:
    await asyncio.sleep(0)
    RUNS.record("double", value)
    return value * 2


@app.activity_trigger(input_name="payload")
def refuse(payload: dict) -> str:
    RUNS.record("refuse", payload["what"])
    raise ValueError(f"cannot handle {payload['what']}")


@app.activity_trigger(input_name="key")
def fails_twice(key: str) -> str:
    attempt = RUNS.record("fails_twice", key)
    if attempt <= 2:
        raise RuntimeError(f"attempt {attempt} failed")
    return f"succeeded on attempt {attempt}"


@app.activity_trigger(input_name="name")
def wait_at_gate(name: str) -> str:
    RUNS.record("wait_at_gate", name)
    if not gate(name).wait(20):
        raise TimeoutError(f"gate {name} never opened")
    return name


@app.activity_trigger(input_name="label")
def step(label: str) -> str:
    log_path = os.environ["DEVHOST_TEST_STEP_LOG"]
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"start {label}\n")
    if os.environ.get("DEVHOST_TEST_BLOCK_STEP") == label:
        time.sleep(3600)  # stands in for a long call that the process dies in the middle of
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"end {label}\n")
    return label.upper()


# -- orchestrators ---------------------------------------------------------------------------------------


@app.orchestration_trigger(context_name="context")
def greetings(context: df.DurableOrchestrationContext):
    names = context.get_input()
    results = []
    for index, name in enumerate(names):
        context.set_custom_status({"step": index + 1, "of": len(names)})
        results.append((yield context.call_activity(greet, name)))
    doubled = yield context.call_activity(double, len(results))
    together = yield context.task_all([context.call_activity(greet, "x"), context.call_activity(greet, "y")])
    return {"results": results, "doubled": doubled, "together": together}


@app.orchestration_trigger(context_name="context")
def nap_then_greet(context: df.DurableOrchestrationContext):
    context.set_custom_status("asleep")
    yield context.create_timer(context.current_utc_datetime + timedelta(hours=1))
    context.set_custom_status("awake")
    return (yield context.call_activity(greet, "after the nap"))


@app.orchestration_trigger(context_name="context")
def gate_then_two_answers(context: df.DurableOrchestrationContext):
    yield context.call_activity(wait_at_gate, context.get_input())
    first = yield context.wait_for_external_event("answer_1")
    second = yield context.wait_for_external_event("answer_2")
    return [first, second]


@app.orchestration_trigger(context_name="context")
def answer_or_timeout(context: df.DurableOrchestrationContext):
    timeout = context.create_timer(context.current_utc_datetime + timedelta(minutes=10))
    answer = context.wait_for_external_event("answer")
    winner = yield context.task_any([answer, timeout])
    if winner == answer:
        timeout.cancel()
        return {"answer": answer.result}
    return {"timed_out": True}


@app.orchestration_trigger(context_name="context")
def catches_activity_failure(context: df.DurableOrchestrationContext):
    try:
        yield context.call_activity(refuse, {"what": "this input"})
    except Exception as exc:
        return f"caught: {exc}"
    return "not reached"


@app.orchestration_trigger(context_name="context")
def retries_until_success(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=30_000, max_number_of_attempts=3)
    result = yield context.call_activity_with_retry(fails_twice, options, context.instance_id)
    after = yield context.call_activity(greet, "after retries")
    return [result, after]


@app.orchestration_trigger(context_name="context")
def retries_give_up(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=30_000, max_number_of_attempts=2)
    try:
        yield context.call_activity_with_retry(fails_twice, options, context.instance_id)
    except Exception as exc:
        return f"gave up: {exc}"
    return "not reached"


@app.orchestration_trigger(context_name="context")
def explodes(context: df.DurableOrchestrationContext):
    yield context.call_activity(greet, "before the explosion")
    raise RuntimeError("the orchestrator gave up")


@app.orchestration_trigger(context_name="context")
def counts_to_three(context: df.DurableOrchestrationContext):
    count = context.get_input()
    context.set_custom_status({"round": count})
    yield context.call_activity(greet, f"round {count}")
    if count < 3:
        context.continue_as_new(count + 1)
        return None
    return count


@app.orchestration_trigger(context_name="context")
def waits_forever(context: df.DurableOrchestrationContext):
    context.set_custom_status("waiting")
    return (yield context.wait_for_external_event("never"))


@app.orchestration_trigger(context_name="context")
def greet_then_wait(context: df.DurableOrchestrationContext):
    first = yield context.call_activity(greet, "a")
    yield context.wait_for_external_event("go")
    second = yield context.call_activity(greet, "b")
    return [first, second]


@app.orchestration_trigger(context_name="context")
def uses_sub_orchestrator(context: df.DurableOrchestrationContext):
    return (yield context.call_sub_orchestrator("greetings", ["nested"]))


@app.orchestration_trigger(context_name="context")
def crash_course(context: df.DurableOrchestrationContext):
    a = yield context.call_activity(step, "a")
    b = yield context.call_activity(step, "b")
    yield context.wait_for_external_event("go")
    c = yield context.call_activity(step, "c")
    return [a, b, c]


@app.orchestration_trigger(context_name="context")
def echo_event(context: df.DurableOrchestrationContext):
    context.set_custom_status({"input": context.get_input()})
    received = yield context.wait_for_external_event("reply")
    return {"input": context.get_input(), "received": received, "type": type(received).__name__}


# A later version of greet_then_wait, deployed while instances of the old one were waiting: it now
# doubles first. Replaying an old history with it must fail loudly.
changed_app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@changed_app.function_name("greet_then_wait")
@changed_app.orchestration_trigger(context_name="context")
def greet_then_wait_changed(context: df.DurableOrchestrationContext):
    yield context.call_activity("double", 1)
    yield context.wait_for_external_event("go")
    return "changed"


@cache
def registry() -> DurableFunctions:
    return durable_functions(app.get_functions())


@cache
def changed_registry() -> DurableFunctions:
    return durable_functions(changed_app.get_functions())
