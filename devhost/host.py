"""devhost: runs function_app.py as the Azure Functions host would, on one machine.

HTTP triggers on an aiohttp server (synchronous functions in a thread pool, async ones on this one
long-lived event loop, as the Python worker does); Durable Functions through devhost.durable's task hub;
Service Bus triggers fed from the PostgreSQL-backed local queue; timer triggers on their NCRONTAB schedule;
a fake Twilio and a candidate's phone; a clock tests can move.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import azure.functions as func
from aiohttp import web
from multidict import CIMultiDict

from devhost.clock import Clock
from devhost.cron import next_occurrence
from devhost.durable.hub import TaskHub
from devhost.durable.registry import durable_functions
from devhost.durable.rpc import add_rpc_routes, client_binding_json
from devhost.environment import ROOT, LocalEnvironment, prepare
from devhost.functions_index import FunctionIndex, HttpRoute, QueueFunction, TimerFunction, index_functions
from devhost.twilio_fake import FakeTwilio

log = logging.getLogger("devhost")
MAX_BODY = 100 * 1024 * 1024  # the Functions host's default request size limit


def read_host_json() -> dict[str, Any]:
    path = ROOT / "host.json"
    return json.loads(path.read_text()) if path.exists() else {}


class Devhost:
    """The host. By default it prepares the local environment (local.settings.json, PostgreSQL, Azurite) and
    runs `function_app.app`; tests can hand it an already prepared `environment` and the `functions` of
    another app (`app.get_functions()`) with a task hub of its own, and speed up queue redelivery."""

    def __init__(
        self,
        port: int,
        controllable_clock: bool,
        *,
        functions: list[Any] | None = None,
        environment: LocalEnvironment | None = None,
        max_delivery_count: int | None = None,
        redelivery_delay_seconds: float = 0.5,
        hub_name: str | None = None,
    ) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.clock = Clock(controllable=controllable_clock)
        self.host_json = read_host_json()
        extensions = self.host_json.get("extensions", {})
        self.route_prefix = extensions.get("http", {}).get("routePrefix", "api")
        self.hub_name = hub_name or extensions.get("durableTask", {}).get("hubName", "InterviewHub")
        self.max_concurrent_calls = int(extensions.get("serviceBus", {}).get("maxConcurrentCalls", 4))
        self.pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="function")
        # The host's own blocking work (task hub RPC, the local queue's bookkeeping) runs here, not on the
        # event loop's default executor, which the app's async functions use for asyncio.to_thread: on Azure
        # that work happens in the Functions host, outside the Python worker's threads.
        self.host_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="host")
        self.in_flight = 0
        self.tasks: list[asyncio.Task] = []
        self.deliveries: set[asyncio.Task] = set()
        self.timers_due: dict[str, datetime] = {}
        self.env: LocalEnvironment | None = environment
        self._owns_env = environment is None
        self._functions = functions
        # Service Bus's MaxDeliveryCount (default: the app's SCORING_MAX_DELIVERY_COUNT, which mirrors infra).
        self.max_delivery_count = max_delivery_count
        # A failed delivery is redelivered after delay * 2^(delivery count), at most 30 s.
        self.redelivery_delay_seconds = redelivery_delay_seconds
        self._unsubscribe: list[Any] = []
        self.hub: TaskHub | None = None
        self.index: FunctionIndex | None = None
        self.queue: Any = None
        self.twilio: FakeTwilio | None = None
        self.runner: web.AppRunner | None = None
        self.stopping = asyncio.Event()
        self.queue_wakeups: dict[str, asyncio.Event] = {}
        self.clock_moved = asyncio.Event()

    # --- start and stop -------------------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.env is None:
            self.env = await asyncio.to_thread(prepare, self.port)
        if self._functions is None:
            import function_app  # after prepare(): the app reads settings that devhost just completed

            functions = function_app.app.get_functions()  # may be called once per app object
        else:
            functions = self._functions
        self.index = index_functions(functions, self.route_prefix)
        durable = durable_functions(functions)
        self.hub = TaskHub(self.env.database_url, durable.orchestrators, durable.activities,
                           durable.activity_param_names, self.clock, hub_name=self.hub_name, max_workers=8,
                           log=logging.getLogger("devhost.durable"), activity_loop=loop)  # fmt: skip
        self.binding = client_binding_json(self.base_url, self.hub_name)
        from shared.adapters.local_queue import LocalQueue, on_send

        self.queue = LocalQueue(self.env.database_url)
        self._unsubscribe.append(on_send(lambda queue: loop.call_soon_threadsafe(self._wake_queue, queue)))
        self._unsubscribe.append(
            self.clock.subscribe(lambda: loop.call_soon_threadsafe(self.clock_moved.set))
        )
        from shared.settings import get_settings

        settings = get_settings()
        if self.max_delivery_count is None:
            self.max_delivery_count = settings.scoring_max_delivery_count
        self.twilio = FakeTwilio(self.env.database_url, settings.twilio_account_sid, settings.twilio_auth_token,
                                 settings.public_base_url, settings.twilio_messaging_service_sid,
                                 settings.twilio_from_number or "+15005550006")  # fmt: skip
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._access_log])
        add_rpc_routes(app, self.hub, self.host_pool)
        self.twilio.routes(app)
        app.router.add_get("/dev/clock", self.get_clock)
        app.router.add_post("/dev/clock/advance", self.advance_clock)
        app.router.add_post("/dev/idle", self.wait_idle)
        app.router.add_get("/dev/queues", self.get_queues)
        app.router.add_post("/dev/queues/{queue}/deadletters/{id}/resubmit", self.resubmit)
        app.router.add_get("/dev/phone", self.phone_page)
        app.router.add_get("/", self.console_redirect)
        # Any path at all, newlines included (`.` would not match them and aiohttp would answer text/plain).
        app.router.add_route("*", r"/{tail:[\s\S]*}", self.dispatch)
        await asyncio.to_thread(self.hub.start)
        for queue_function in self.index.queues:
            self.tasks.append(loop.create_task(self._consume(queue_function)))
        for timer in self.index.timers:
            self.tasks.append(loop.create_task(self._run_timer(timer)))
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        self._banner()

    async def stop(self) -> None:
        log.info("devhost stopping")
        self.stopping.set()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for task in self.tasks:
            task.cancel()
        if self.deliveries:
            await asyncio.wait(self.deliveries, timeout=30)
        if self.index is not None:
            # Let inbound SMS follow-ups finish; before the server closes, as a reply goes to the fake Twilio.
            from shared.services.sms_inbound import follow_ups

            await asyncio.to_thread(follow_ups.wait, 30)
        if self.runner is not None:
            await self.runner.cleanup()
        if self.hub is not None:
            await asyncio.to_thread(self.hub.stop)
        if self.twilio is not None:
            await self.twilio.close()
        if self.queue is not None:
            self.queue.close()
        self.pool.shutdown(wait=False, cancel_futures=True)
        # The durable client keeps one aiohttp session per process, bound to the loop that made it: close it with
        # this loop (unless another host in this process made it, as tests may do).
        from azure.durable_functions.models.utils import http_utils

        session = http_utils._client_session
        if session is not None and getattr(session, "_loop", None) is asyncio.get_running_loop():
            await http_utils._close_session()
        self.host_pool.shutdown(wait=False, cancel_futures=True)
        if self.env is not None and self._owns_env:
            self.env.stop()

    def _banner(self) -> None:
        assert self.env is not None and self.index is not None
        token_note = "" if not self.env.admin_token_generated else " (new for this run)"
        lines = [
            "",
            "Interview AI is running locally (devhost)",
            f"  API              {self.base_url}/{self.route_prefix}/   ({len(self.index.routes)} HTTP functions)",
            f"  Console          {self.base_url}/{self.route_prefix}/console/",
            f"  OpenAPI          {self.base_url}/{self.route_prefix}/openapi.json",
            f"  Candidate phone  {self.base_url}/dev/phone",
            f"  Queues           {self.base_url}/dev/queues",
            f"  Admin token      {self.env.admin_token}{token_note}",
            f"                   also in {self.env.data_dir / 'admin-token'}",
            f"  PostgreSQL       {'embedded, under ' + str(self.env.data_dir / 'postgres') if self.env.database_embedded else 'DATABASE_URL'}",
            f"  Storage          {'Azurite, under ' + str(self.env.data_dir / 'azurite') if self.env.azurite else 'AzureWebJobsStorage'}",
            f"  Clock            {'controllable: POST /dev/clock/advance' if self.clock.controllable else 'real time'}",
            "",
        ]  # fmt: skip
        print("\n".join(lines), flush=True)

    # --- HTTP functions ----------------------------------------------------------------------------------------
    @web.middleware
    async def _access_log(self, request: web.Request, handler: Any) -> web.StreamResponse:
        started = time.perf_counter()
        # Reading the phone's outbox (possibly a long poll) and waiting for idleness are not work in flight.
        observer = request.path.startswith(("/dev/sms/outbox", "/dev/idle"))
        self.in_flight += 0 if observer else 1
        try:
            response = await handler(request)
        finally:
            self.in_flight -= 0 if observer else 1
        if not observer:
            log.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status,
                (time.perf_counter() - started) * 1000,
            )
        return response

    def _match(self, path: str, method: str) -> tuple[HttpRoute | None, dict[str, str], set[str]]:
        """The route for `path` and `method` with its parameters, else the methods the path allows."""
        assert self.index is not None
        allowed: set[str] = set()
        for route in self.index.routes:  # most specific first
            match = route.pattern.match(path)
            if match:
                if method in route.methods:
                    return route, {k: v for k, v in match.groupdict().items() if v is not None}, allowed
                allowed |= route.methods
        return None, {}, allowed

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        route, params, allowed = self._match(request.path, request.method)
        if route is None:
            # Azure answers 404 for both; devhost says 405 (with Allow) when only the method is wrong.
            status = 405 if allowed else 404
            title = "Method Not Allowed" if allowed else "Not Found"
            body = {
                "type": "about:blank",
                "title": title,
                "status": status,
                "detail": f"{request.method} {request.path}",
            }
            allow = {"Allow": ", ".join(sorted(allowed))} if allowed else None
            return web.json_response(
                body, status=status, content_type="application/problem+json", headers=allow
            )
        headers: dict[str, str] = {}
        for name, value in request.headers.items():  # repeated headers arrive as one, comma-joined
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        http_request = func.HttpRequest(
            method=request.method,
            url=str(request.url),
            headers=headers,
            params=dict(request.query),
            route_params=params,
            body=await request.read(),
        )
        arguments: dict[str, Any] = {route.request_arg: http_request}
        if route.client_arg:
            arguments[route.client_arg] = self.binding
        try:
            if route.is_async:
                response = await route.function(**arguments)
            else:
                response = await asyncio.get_running_loop().run_in_executor(
                    self.pool, partial(route.function, **arguments)
                )
            return _to_aiohttp(response)
        except Exception:
            log.exception("function %s raised", route.name)
            return web.json_response({"title": "Internal Server Error", "status": 500}, status=500,
                                     content_type="application/problem+json")  # fmt: skip

    # --- the local Service Bus -----------------------------------------------------------------------------------
    async def _on_host(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.host_pool, partial(function, *args))

    def _wake_queue(self, queue: str) -> None:
        self.queue_wakeups.setdefault(queue, asyncio.Event()).set()

    async def _consume(self, function: QueueFunction) -> None:
        max_deliveries = self.max_delivery_count or 1
        slots = asyncio.Semaphore(self.max_concurrent_calls)
        wakeup = self.queue_wakeups.setdefault(function.queue, asyncio.Event())
        while not self.stopping.is_set():
            await slots.acquire()
            wakeup.clear()  # before looking, so a message sent while we look still wakes the wait below
            try:
                message = await self._on_host(self.queue.receive, function.queue, 300.0)
            except Exception as exc:  # the database restarting: try again shortly
                slots.release()
                log.warning("queue %s: receive failed: %s", function.queue, exc)
                await asyncio.sleep(1)
                continue
            if message is None:
                slots.release()
                wait = await self._on_host(self.queue.next_available_in, function.queue)
                try:
                    await asyncio.wait_for(
                        wakeup.wait(), timeout=min(wait if wait is not None else 5.0, 5.0) or 0.05
                    )
                except TimeoutError:
                    pass
                continue
            task = asyncio.get_running_loop().create_task(self._deliver(function, message, max_deliveries))
            self.deliveries.add(task)
            task.add_done_callback(lambda t: (self.deliveries.discard(t), slots.release()))

    async def _deliver(self, function: QueueFunction, message: Any, max_deliveries: int) -> None:
        from azure.functions.servicebus import ServiceBusMessage

        sb_message = ServiceBusMessage(
            body=message.body, message_id=message.message_id, delivery_count=message.delivery_count,
            enqueued_time_utc=message.enqueued_at, content_type=message.content_type, locked_until=message.locked_until,
            application_properties={}, user_properties={},
        )  # fmt: skip
        arguments: dict[str, Any] = {function.arg: sb_message}
        if function.client_arg:
            arguments[function.client_arg] = self.binding
        started = time.perf_counter()
        try:
            if function.is_async:
                await function.function(**arguments)
            else:
                await asyncio.get_running_loop().run_in_executor(
                    self.pool, partial(function.function, **arguments)
                )
        except Exception as exc:
            reason = f"{type(exc).__name__}: {str(exc)[:500]}"
            if message.delivery_count >= max_deliveries:
                settled = await self._on_host(self.queue.dead_letter, message, reason)
                log.warning("queue %s: message %s dead-lettered after %d deliveries: %s", function.queue,
                            message.message_id, message.delivery_count, reason)  # fmt: skip
            else:
                delay = min(self.redelivery_delay_seconds * 2**message.delivery_count, 30)
                settled = await self._on_host(self.queue.abandon, message, delay)
                self._wake_queue(function.queue)  # the consumer may be sleeping on this message's lock
                log.info("queue %s: message %s failed (delivery %d), will be redelivered: %s", function.queue,
                         message.message_id, message.delivery_count, reason)  # fmt: skip
            if not settled:
                log.warning("queue %s: lock on message %s lost; it was delivered again", function.queue,
                            message.message_id)  # fmt: skip
            return
        if not await self._on_host(self.queue.complete, message):
            log.warning("queue %s: lock on message %s lost before completion; it was delivered again",
                        function.queue, message.message_id)  # fmt: skip
            return
        log.info("queue %s: message %s delivered to %s (delivery %d, %.0f ms)", function.queue, message.message_id,
                 function.name, message.delivery_count, (time.perf_counter() - started) * 1000)  # fmt: skip

    # --- timer triggers ------------------------------------------------------------------------------------------
    async def _run_timer(self, timer: TimerFunction) -> None:
        from azure.functions.timer import TimerRequest

        due = self.clock.now() if timer.run_on_startup else next_occurrence(timer.schedule, self.clock.now())
        while not self.stopping.is_set():
            self.timers_due[timer.name] = due  # /dev/idle waits while a timer is due (or running)
            wait = (due - self.clock.now()).total_seconds()
            if wait > 0:
                self.clock_moved.clear()
                try:
                    await asyncio.wait_for(self.clock_moved.wait(), timeout=min(wait, 60))
                except TimeoutError:
                    pass
                continue
            # Late by more than a little (the clock jumped, or the host was busy): as the host, say so, once.
            arguments: dict[str, Any] = {timer.arg: TimerRequest(past_due=wait < -1)}
            try:
                if timer.client_arg:
                    arguments[timer.client_arg] = self.binding
                if timer.is_async:
                    await timer.function(**arguments)
                else:
                    await asyncio.get_running_loop().run_in_executor(
                        self.pool, partial(timer.function, **arguments)
                    )
                log.info("timer %s ran", timer.name)
            except Exception:
                log.exception("timer %s raised", timer.name)
            due = next_occurrence(timer.schedule, self.clock.now())

    # --- /dev endpoints ---------------------------------------------------------------------------------------------
    async def get_clock(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"now": self.clock.now().isoformat(), "controllable": self.clock.controllable}
        )

    async def advance_clock(self, request: web.Request) -> web.Response:
        if not self.clock.controllable:
            return web.json_response(
                {"error": "start devhost with --controllable-clock to move time"}, status=409
            )
        try:
            seconds = float((await request.json())["seconds"])
            if not math.isfinite(seconds):
                raise ValueError(seconds)
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": 'send {"seconds": N}'}, status=400)
        if seconds < 0:
            return web.json_response({"error": "time only moves forward"}, status=400)
        now = await asyncio.to_thread(self.clock.advance, seconds)
        return web.json_response({"now": now.isoformat()})

    async def wait_idle(self, request: web.Request) -> web.Response:
        """Until nothing is runnable: orchestrations, activities, deliverable queue messages, fake SMS callbacks,
        due timer triggers and inbound SMS follow-ups."""
        from shared.services.sms_inbound import follow_ups

        timeout = float(request.query.get("timeout", "30"))
        deadline = time.monotonic() + timeout
        quiet_checks = 0
        busy_parts: list[str] = []
        while time.monotonic() < deadline:
            assert self.hub is not None and self.index is not None and self.twilio is not None
            hub_idle = await self._on_host(self.hub.wait_for_idle, 0.05)
            queues_idle = not self.deliveries
            if queues_idle:
                for function in self.index.queues:
                    wait = await self._on_host(self.queue.next_available_in, function.queue)
                    if wait is not None and wait < 1.0:
                        queues_idle = False
            timers_idle = all(due > self.clock.now() for due in self.timers_due.values())
            busy_parts = [name for name, busy in (("orchestrations", not hub_idle), ("queues", not queues_idle),
                                                  ("http", self.in_flight > 0), ("sms callbacks", self.twilio.busy),
                                                  ("timer triggers", not timers_idle),
                                                  ("sms follow-ups", follow_ups.pending() > 0)) if busy]  # fmt: skip
            quiet_checks = 0 if busy_parts else quiet_checks + 1
            if quiet_checks >= 3:
                return web.json_response({"idle": True})
            await asyncio.sleep(0.02)
        return web.json_response({"idle": False, "busy": busy_parts}, status=504)

    async def get_queues(self, request: web.Request) -> web.Response:
        assert self.index is not None
        names = sorted({f.queue for f in self.index.queues} | set(await self._on_host(self.queue.queues)))
        result = {}
        for name in names:
            result[name] = {
                "depth": await self._on_host(self.queue.depth, name),
                "dead_letters": json.loads(
                    json.dumps(await self._on_host(self.queue.dead_letters, name), default=str)
                ),
            }
        return web.json_response({"queues": result})

    async def resubmit(self, request: web.Request) -> web.Response:
        try:
            row_id = int(request.match_info["id"])
        except ValueError:
            return web.json_response({"error": "not a dead letter id"}, status=404)
        done = await self._on_host(self.queue.resubmit_dead_letter, request.match_info["queue"], row_id)
        return web.json_response({"resubmitted": done}, status=200 if done else 404)

    async def console_redirect(self, request: web.Request) -> web.Response:
        """The root has no function (every route is under the prefix): send a browser to the console."""
        raise web.HTTPFound(f"/{self.route_prefix}/console/")

    async def phone_page(self, request: web.Request) -> web.Response:
        return web.FileResponse(Path(__file__).parent / "phone.html")


def _to_aiohttp(response: Any) -> web.Response:
    """What the Python worker's HttpResponseConverter and the host make of a function's return value: a
    Content-Type from `mimetype` when the function set none (with the charset for text/* types only),
    repeated headers (Set-Cookie) kept; a plain str is a 200 text/plain body."""
    if isinstance(response, str):
        return web.Response(status=200, text=response, content_type="text/plain", charset="utf-8")
    if not isinstance(response, func.HttpResponse):
        raise TypeError(f"an HTTP function returned {type(response).__name__}, not HttpResponse or str")
    headers = CIMultiDict(response.headers.items())
    if "Content-Type" not in headers:
        mimetype = response.mimetype
        headers["Content-Type"] = (
            f"{mimetype}; charset={response.charset}" if mimetype.startswith("text/") else mimetype
        )
    return web.Response(status=response.status_code, headers=headers, body=response.get_body())


async def serve(port: int, controllable_clock: bool) -> None:
    # Tests shorten the pause before a failed message is delivered again.
    delay = float(os.environ.get("DEVHOST_REDELIVERY_DELAY_SECONDS", "0.5"))
    host = Devhost(port, controllable_clock, redelivery_delay_seconds=delay)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await host.start()
        await stop.wait()
    finally:
        await host.stop()


def now_utc() -> datetime:
    return datetime.now(UTC)
