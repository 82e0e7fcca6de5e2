"""Load check of devhost's task hub: many interview-shaped orchestrations answering events at a set rate.

Each instance loops over questions: an activity "sends" the question, then the orchestrator races the
answer event against a 10-minute timer (cancelled when the answer wins), then an activity records the
answer. The driver raises answers at `--rate` per second, each only once its instance has asked the
question, and measures the time from raise_event() to the start of the activity that records the answer.

    /work/venv/bin/python -m bench.durable_hub --instances 500 --questions 3 --rate 100

Uses an embedded PostgreSQL under a temporary directory (or DATABASE_URL's server if set).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import azure.durable_functions as df
import azure.functions as func

from devhost.clock import Clock
from devhost.durable import TaskHub
from devhost.durable.registry import durable_functions

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

_lock = threading.Lock()
_asked: dict[tuple[str, int], float] = {}  # (instance, question) -> when the question activity started
_recorded: dict[tuple[str, int], float] = {}  # (instance, question) -> when the record activity started


@app.activity_trigger(input_name="question")
def ask_question(question: dict) -> str:
    with _lock:
        _asked[(question["instance"], question["number"])] = time.perf_counter()
    return "sent"


@app.activity_trigger(input_name="answer")
def record_answer(answer: dict) -> str:
    with _lock:
        _recorded[(answer["instance"], answer["number"])] = time.perf_counter()
    return "stored"


@app.orchestration_trigger(context_name="context")
def interview(context: df.DurableOrchestrationContext):
    questions = context.get_input()
    for number in range(questions):
        context.set_custom_status({"question": number})
        yield context.call_activity(ask_question, {"instance": context.instance_id, "number": number})
        timeout = context.create_timer(context.current_utc_datetime + timedelta(minutes=10))
        answer = context.wait_for_external_event(f"answer_{number}")
        winner = yield context.task_any([answer, timeout])
        if winner != answer:
            return "expired"
        timeout.cancel()
        yield context.call_activity(record_answer, {"instance": context.instance_id, "number": number})
    return "completed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument(
        "--rate", type=float, default=100.0, help="answers raised per second (0: as fast as possible)"
    )
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    dsn = os.environ.get("DATABASE_URL")
    if not dsn:
        from shared.db.embedded import embedded_database_url

        dsn = embedded_database_url(Path(tempfile.mkdtemp(prefix="durable-bench-")), "bench")
    functions = durable_functions(app.get_functions())
    hub = TaskHub(
        dsn,
        functions.orchestrators,
        functions.activities,
        functions.activity_param_names,
        Clock(),
        hub_name=f"bench_{uuid.uuid4().hex[:8]}",
        max_workers=args.workers,
    )
    hub.start()
    try:
        started = time.perf_counter()
        ids = [hub.start_new("interview", f"i{n}", json.dumps(args.questions)) for n in range(args.instances)]
        assert hub.wait_for_idle(300), "instances did not start"
        print(f"started {len(ids)} instances in {time.perf_counter() - started:.1f} s")

        latencies: list[float] = []
        raised: dict[tuple[str, int], float] = {}
        interval = 1.0 / args.rate if args.rate > 0 else 0.0
        driving = time.perf_counter()
        next_at = driving
        for number in range(args.questions):
            for instance_id in ids:
                while True:
                    with _lock:
                        asked = (instance_id, number) in _asked
                    if asked:
                        break
                    time.sleep(0.001)
                if interval:
                    delay = next_at - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    next_at += interval
                raised[(instance_id, number)] = time.perf_counter()
                hub.raise_event(instance_id, f"answer_{number}", json.dumps({"text": "an answer"}))
        sent = time.perf_counter() - driving
        assert hub.wait_for_idle(300), "answers were not all processed"
        drained = time.perf_counter() - driving
        for key, moment in raised.items():
            latencies.append(_recorded[key] - moment)
        latencies.sort()
        statuses = [hub.get_status(i)["runtimeStatus"] for i in ids]
        print(
            f"{len(raised)} events raised in {sent:.1f} s ({len(raised) / sent:.0f}/s), all processed in "
            f"{drained:.1f} s ({len(raised) / drained:.0f}/s end to end)"
        )
        print(
            "event -> next activity running: "
            f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms"
        )
        print(f"completed instances: {statuses.count('Completed')} of {len(ids)}")
    finally:
        hub.stop()


if __name__ == "__main__":
    main()
