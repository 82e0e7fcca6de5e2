"""/dev/clock: reading devhost's time, moving it forward, and what falls due when it moves."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.devhost_server import toy_app
from tests.devhost_server.conftest import ToyHost, running_toy_host, wait_until

RPC = "/runtime/webhooks/durabletask/instances"


def _now(toy_host: ToyHost) -> datetime:
    response = toy_host.get("/dev/clock")
    assert response.status_code == 200
    assert response.json()["controllable"] is True
    return datetime.fromisoformat(response.json()["now"])


def test_advancing_the_clock_moves_now_and_fires_due_durable_timers(toy_host: ToyHost) -> None:
    before = _now(toy_host)
    started = toy_host.post("/api/waiters")
    assert started.status_code == 202
    instance_id = started.json()["id"]
    toy_host.settle()
    assert toy_host.get(f"{RPC}/{instance_id}").json()["runtimeStatus"] == "Running"

    moved = toy_host.post("/dev/clock/advance", json={"seconds": 1800})
    assert moved.status_code == 200
    assert datetime.fromisoformat(moved.json()["now"]) - before >= timedelta(seconds=1800)
    toy_host.settle()
    assert toy_host.get(f"{RPC}/{instance_id}").json()["runtimeStatus"] == "Running"  # half way: not due

    toy_host.post("/dev/clock/advance", json={"seconds": 1801})
    toy_host.settle()
    status = toy_host.get(f"{RPC}/{instance_id}").json()
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] >= 3600  # orchestration time moved with the clock
    assert _now(toy_host) - before >= timedelta(seconds=3601)


def test_advancing_the_clock_runs_a_due_timer_trigger_once_as_past_due(toy_host: ToyHost) -> None:
    runs_before = len(toy_app.hourly_runs)
    assert toy_host.post("/dev/clock/advance", json={"seconds": 3 * 3600}).status_code == 200
    wait_until(lambda: len(toy_app.hourly_runs) > runs_before)
    toy_host.settle()
    assert toy_app.hourly_runs[runs_before:] == [True]  # three hours late: runs once, saying so


def test_bad_advances_are_refused(toy_host: ToyHost) -> None:
    before = _now(toy_host)
    negative = toy_host.post("/dev/clock/advance", json={"seconds": -5})
    assert negative.status_code == 400
    assert toy_host.post("/dev/clock/advance", json={"minutes": 5}).status_code == 400
    assert toy_host.post("/dev/clock/advance", data="five").status_code == 400
    assert toy_host.post("/dev/clock/advance", json={"seconds": "soon"}).status_code == 400
    assert toy_host.post("/dev/clock/advance", json={"seconds": "inf"}).status_code == 400
    assert _now(toy_host) - before < timedelta(seconds=5)  # none of them moved it


def test_a_real_time_clock_cannot_be_moved(database_url: str, tmp_path) -> None:
    startup_runs = len(toy_app.startup_runs)
    with running_toy_host(database_url, tmp_path, controllable_clock=False) as host:
        wait_until(lambda: len(toy_app.startup_runs) > startup_runs)  # run_on_startup: once, at start
        assert toy_app.startup_runs[startup_runs:] == [False]
        clock = host.get("/dev/clock").json()
        assert clock["controllable"] is False
        assert abs(
            datetime.fromisoformat(clock["now"]) - datetime.now(datetime.fromisoformat(clock["now"]).tzinfo)
        ) < (timedelta(seconds=5))
        refused = host.post("/dev/clock/advance", json={"seconds": 60})
        assert refused.status_code == 409
        assert "--controllable-clock" in refused.json()["error"]
