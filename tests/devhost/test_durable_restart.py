"""Nothing is lost across a restart of the task hub: neither a clean stop nor a killed process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devhost.clock import Clock
from tests.devhost import toy_app
from tests.devhost.conftest import MakeHub, settle, wait_until
from tests.devhost.toy_app import RUNS

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_a_timer_pending_at_a_clean_stop_fires_after_the_next_start(make_hub: MakeHub, clock: Clock) -> None:
    first = make_hub()
    instance_id = first.start_new("nap_then_greet")
    settle(first)
    first.stop()

    clock.advance(2 * 3600)  # due while no hub runs
    second = make_hub()
    settle(second)
    status = second.get_status(instance_id)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == "hello after the nap"


def test_work_queued_while_no_hub_dispatches_runs_at_start(make_hub: MakeHub) -> None:
    first = make_hub()
    instance_id = first.start_new("greet_then_wait")
    settle(first)
    first.stop()

    second = make_hub(start=False)
    second.raise_event(instance_id, "go", "null")  # recorded in PostgreSQL; nothing runs it yet
    assert second.get_status(instance_id)["runtimeStatus"] == "Running"
    second.start()
    settle(second)
    status = second.get_status(instance_id)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == ["hello a", "hello b"]


def test_an_activity_cut_off_by_a_stop_runs_again_after_the_restart(make_hub: MakeHub) -> None:
    first = make_hub()
    instance_id = first.start_new("gate_then_two_answers", input_json=json.dumps("cut-off"))
    wait_until(lambda: RUNS.count("wait_at_gate", "cut-off") == 1)
    first.stop(timeout=0.2)  # gives up on the running activity: its result can no longer be recorded

    second = make_hub()
    wait_until(lambda: RUNS.count("wait_at_gate", "cut-off") == 2)  # at least once, as on Azure
    toy_app.gate("cut-off").set()
    second.raise_event(instance_id, "answer_1", json.dumps(1))
    second.raise_event(instance_id, "answer_2", json.dumps(2))
    settle(second)
    status = second.get_status(instance_id, show_history=True)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == [1, 2]
    assert [e["EventType"] for e in status["historyEvents"]].count("TaskCompleted") == 1


def test_a_killed_host_process_loses_nothing_and_reruns_only_the_unfinished_activity(
    database_url: str, hub_name: str, make_hub: MakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = tmp_path / "steps.log"
    worker_log = tmp_path / "worker.log"
    env = {**os.environ, "DEVHOST_TEST_STEP_LOG": str(steps), "DEVHOST_TEST_BLOCK_STEP": "b"}
    with worker_log.open("w") as stderr:
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.devhost.crash_worker", database_url, hub_name, "crash-1"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            wait_until(lambda: steps.exists() and "start b" in steps.read_text(), timeout=30)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
    assert worker.returncode == -signal.SIGKILL, worker_log.read_text()
    assert steps.read_text().splitlines() == ["start a", "end a", "start b"]

    monkeypatch.setenv("DEVHOST_TEST_STEP_LOG", str(steps))
    hub = make_hub(clock=Clock())
    wait_until(lambda: "end b" in steps.read_text())
    settle(hub)
    assert hub.get_status("crash-1")["runtimeStatus"] == "Running"  # waiting for "go" again
    hub.raise_event("crash-1", "go", "null")
    settle(hub)
    status = hub.get_status("crash-1")
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == ["A", "B", "C"]
    assert steps.read_text().splitlines() == [
        "start a",
        "end a",
        "start b",
        "start b",
        "end b",
        "start c",
        "end c",
    ]
