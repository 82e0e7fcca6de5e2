"""A small Functions app for driving devhost in-process: HTTP routes that echo what they received and
answer what they are told, slow and async functions, a durable timer, Service Bus consumers that fail on
demand, an hourly timer trigger."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict
from datetime import timedelta
from typing import Any

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

FLAKY_QUEUE = "toy-flaky"
ASYNC_QUEUE = "toy-async"

_lock = threading.Lock()
# message id -> delivery counts seen by the consumers, in order
deliveries: dict[str, list[int]] = defaultdict(list)
# message ids whose consumer stops failing (a fix deployed before resubmitting a dead letter)
healed: set[str] = set()
# past_due flag of every run of the hourly timer
hourly_runs: list[bool] = []
# past_due flag of every run of the timer that runs on startup
startup_runs: list[bool] = []

_functions: list[Any] | None = None


def functions() -> list[Any]:
    """`app.get_functions()`, which may be called once per app object."""
    global _functions
    if _functions is None:
        _functions = app.get_functions()
    return _functions


def _json(value: Any, status: int = 200) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(value), status_code=status, mimetype="application/json")


# --- HTTP ---------------------------------------------------------------------------------------------------
@app.route(route="echo", methods=["GET", "POST", "PUT"])
def echo(req: func.HttpRequest) -> func.HttpResponse:
    form = {key: req.form.getlist(key) for key in req.form} if req.form else {}
    return _json(
        {
            "method": req.method,
            "url": req.url,
            "params": dict(req.params),
            "route_params": dict(req.route_params),
            "headers": {k.lower(): v for k, v in req.headers.items()},
            "body_hex": req.get_body().hex(),
            "form": form,
        }
    )


@app.route(route="things/{name}/{part?}", methods=["GET"])
def thing(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"function": "thing", "route_params": dict(req.route_params)})


@app.route(route="things/special", methods=["GET", "DELETE"])
def special_thing(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"function": "special_thing", "route_params": dict(req.route_params)})


@app.route(route="items/{id:guid}", methods=["GET"])
def item_by_guid(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"function": "item_by_guid", "route_params": dict(req.route_params)})


@app.route(route="items/{number:int}", methods=["GET"])
def item_by_number(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"function": "item_by_number", "route_params": dict(req.route_params)})


@app.route(route="files/{*path}", methods=["GET"])
def files(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"function": "files", "route_params": dict(req.route_params)})


@app.route(route="respond", methods=["POST"])
def respond(req: func.HttpRequest) -> func.HttpResponse:
    """Answers with the status, body, mimetype, charset, headers and cookies the JSON request asks for."""
    spec = req.get_json()
    response = func.HttpResponse(
        spec.get("body", "").encode(spec.get("charset") or "utf-8"),
        status_code=spec.get("status", 200),
        mimetype=spec.get("mimetype"),
        charset=spec.get("charset"),
        headers=spec.get("headers"),
    )
    for cookie in spec.get("cookies", []):
        response.headers.add_header("Set-Cookie", cookie)
    return response


@app.route(route="plain-string", methods=["GET"])
def plain_string(req: func.HttpRequest) -> str:
    return "just a string"


@app.route(route="broken", methods=["GET"])
def broken(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("this function always fails")


@app.route(route="slow", methods=["GET"])
def slow(req: func.HttpRequest) -> func.HttpResponse:
    time.sleep(float(req.params.get("seconds", "0.5")))
    return _json({"thread": threading.current_thread().name})


@app.route(route="slow-async", methods=["GET"])
async def slow_async(req: func.HttpRequest) -> func.HttpResponse:
    await asyncio.sleep(float(req.params.get("seconds", "0.5")))
    return _json(
        {"thread": threading.current_thread().name, "on_loop": asyncio.get_running_loop().is_running()}
    )


# --- Durable ------------------------------------------------------------------------------------------------
@app.route(route="waiters", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start_waiter(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = await client.start_new("waits_an_hour")
    return _json({"id": instance_id}, status=202)


@app.orchestration_trigger(context_name="context")
def waits_an_hour(context: df.DurableOrchestrationContext):
    started = context.current_utc_datetime
    yield context.create_timer(started + timedelta(hours=1))
    return (context.current_utc_datetime - started).total_seconds()


# --- Service Bus --------------------------------------------------------------------------------------------
@app.service_bus_queue_trigger(arg_name="message", queue_name=FLAKY_QUEUE, connection="ServiceBusConnection")
def flaky_consumer(message: func.ServiceBusMessage) -> None:
    """Fails the first `fail_times` deliveries of a message (body JSON), unless the message was healed."""
    fail_times = int(json.loads(message.get_body())["fail_times"])
    with _lock:
        deliveries[message.message_id].append(message.delivery_count)
        seen = len(deliveries[message.message_id])
    if message.message_id not in healed and seen <= fail_times:
        raise RuntimeError(f"failure {seen} of {fail_times}")


@app.service_bus_queue_trigger(arg_name="message", queue_name=ASYNC_QUEUE, connection="ServiceBusConnection")
async def async_consumer(message: func.ServiceBusMessage) -> None:
    await asyncio.sleep(0)
    with _lock:
        deliveries[message.message_id].append(message.delivery_count)


# --- Timer --------------------------------------------------------------------------------------------------
@app.timer_trigger(schedule="0 0 * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
def hourly(timer: func.TimerRequest) -> None:
    with _lock:
        hourly_runs.append(timer.past_due)


@app.timer_trigger(schedule="0 0 0 1 1 *", arg_name="timer", run_on_startup=True, use_monitor=False)
async def yearly_and_on_startup(timer: func.TimerRequest) -> None:
    with _lock:
        startup_runs.append(timer.past_due)
