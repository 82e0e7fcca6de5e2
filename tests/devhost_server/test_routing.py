"""Indexing an app as the Functions host does, route templates, and HTTP requests and responses converted
between aiohttp and azure.functions through the running server."""

from __future__ import annotations

import uuid

import azure.durable_functions as df
import azure.functions as func
import pytest

from devhost.azurite import free_port
from devhost.environment import LocalEnvironment
from devhost.functions_index import UnsupportedFunction, index_functions, route_pattern
from devhost.host import Devhost
from tests.devhost_server.conftest import LoopThread, ToyHost


def _ok(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("ok")


def toy_blueprint_app() -> df.DFApp:
    bp = df.Blueprint()
    bp.route(route="jobs/{id}", methods=["GET", "DELETE"])(_named(_ok, "job"))
    bp.route(route="jobs", methods=["GET"])(_named(_ok, "jobs"))
    bp.route(methods=["POST"])(_named(_ok, "no_route_given"))

    @bp.route(route="status")
    @bp.durable_client_input(client_name="client")
    async def status(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
        return func.HttpResponse("ok")

    @bp.service_bus_queue_trigger(arg_name="msg", queue_name="work", connection="ServiceBusConnection")
    def worker(msg: func.ServiceBusMessage) -> None: ...

    @bp.timer_trigger(schedule="0 */5 * * * *", arg_name="timer", run_on_startup=True)
    def ticker(timer: func.TimerRequest) -> None: ...

    app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    app.register_functions(bp)
    return app


def _named(function, name: str):
    def handler(req: func.HttpRequest) -> func.HttpResponse:
        return function(req)

    handler.__name__ = name
    return handler


# --- templates --------------------------------------------------------------------------------------------------
def test_route_templates_match_parameters_constraints_optional_and_catch_all() -> None:
    job = route_pattern("/api/jobs/{id}")
    assert job.match("/api/jobs/42").groupdict() == {"id": "42"}
    assert job.match("/api/jobs/42/") is not None
    assert job.match("/api/jobs") is None
    assert job.match("/api/jobs/42/extra") is None
    assert job.match("/API/Jobs/42").groupdict() == {"id": "42"}  # literals ignore case, as on Azure

    guid = route_pattern("/api/items/{id:guid}")
    value = str(uuid.uuid4())
    assert guid.match(f"/api/items/{value}")["id"] == value
    assert guid.match(f"/api/items/{value.upper()}") is not None
    assert guid.match("/api/items/not-a-guid") is None
    assert guid.match(f"/api/items/{value}x") is None
    number = route_pattern("/api/items/{n:int}")
    assert number.match("/api/items/-12")["n"] == "-12"
    assert number.match("/api/items/1.5") is None

    optional = route_pattern("/api/things/{name}/{part?}")
    assert optional.match("/api/things/a").groupdict() == {"name": "a", "part": None}
    assert optional.match("/api/things/a/b").groupdict() == {"name": "a", "part": "b"}

    rest = route_pattern("/api/files/{*path}")
    assert rest.match("/api/files/a/b/c.txt")["path"] == "a/b/c.txt"
    assert rest.match("/api/files")["path"] is None


@pytest.mark.parametrize(
    "template",
    ["items/{id:regex(^a$)}", "items/{id=default}", "files/{name}.{ext}", "items/{id:minlength(2)}"],
)
def test_route_templates_devhost_cannot_honour_are_refused(template: str) -> None:
    with pytest.raises(ValueError, match="not supported by devhost"):
        route_pattern(template)


def test_index_reads_routes_methods_prefix_clients_queues_and_timers() -> None:
    index = index_functions(toy_blueprint_app().get_functions(), route_prefix="v1")
    routes = {route.name: route for route in index.routes}
    assert routes["job"].methods == {"GET", "DELETE"}
    assert routes["job"].pattern.match("/v1/jobs/7")["id"] == "7"
    assert routes["job"].pattern.match("/api/jobs/7") is None
    assert routes["no_route_given"].pattern.match("/v1/no_route_given")  # the route defaults to the name
    assert routes["status"].methods >= {"GET", "POST", "PUT", "DELETE"}  # no methods: all of them
    assert (routes["status"].client_arg, routes["status"].is_async) == ("client", True)
    assert (routes["job"].client_arg, routes["job"].is_async) == (None, False)
    assert [(q.name, q.queue, q.arg) for q in index.queues] == [("worker", "work", "msg")]
    assert [(t.name, t.schedule, t.run_on_startup) for t in index.timers] == [
        ("ticker", "0 */5 * * * *", True)
    ]

    unprefixed = index_functions(toy_blueprint_app().get_functions(), route_prefix="")
    assert next(r for r in unprefixed.routes if r.name == "jobs").pattern.match("/jobs")


def test_more_specific_routes_win_whatever_the_registration_order() -> None:
    app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    app.route(route="jobs/{*rest}")(_named(_ok, "catch_all"))
    app.route(route="jobs/{id}")(_named(_ok, "by_id"))
    app.route(route="jobs/{id:int}")(_named(_ok, "by_number"))
    app.route(route="jobs/active")(_named(_ok, "active"))
    index = index_functions(app.get_functions())

    def winner(path: str) -> str:
        return next(route.name for route in index.routes if route.pattern.match(path))

    assert winner("/api/jobs/active") == "active"
    assert winner("/api/jobs/12") == "by_number"
    assert winner("/api/jobs/abc") == "by_id"
    assert winner("/api/jobs/a/b") == "catch_all"


def test_unsupported_bindings_are_refused_naming_the_function() -> None:
    app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.blob_trigger(arg_name="blob", path="resumes/{name}", connection="AzureWebJobsStorage")
    def on_resume_uploaded(blob: func.InputStream) -> None: ...

    with pytest.raises(UnsupportedFunction, match=r"'on_resume_uploaded'.*'blobTrigger'"):
        index_functions(app.get_functions())

    app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="enqueue")
    @app.queue_output(arg_name="out", queue_name="jobs", connection="AzureWebJobsStorage")
    def enqueue(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse:
        return func.HttpResponse("queued")

    with pytest.raises(UnsupportedFunction, match=r"'enqueue'.*'queue'"):
        index_functions(app.get_functions())


def test_bad_route_templates_and_timer_schedules_are_refused_naming_the_function() -> None:
    app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    app.route(route="files/{name}.{ext}")(_named(_ok, "download"))
    with pytest.raises(UnsupportedFunction, match=r"'download'.*files/\{name\}\.\{ext\}"):
        index_functions(app.get_functions())

    for schedule in ("0 61 * * * *", "0 0 0 30 2 *"):  # out of range; never fires
        app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

        @app.timer_trigger(schedule=schedule, arg_name="timer")
        def nightly(timer: func.TimerRequest) -> None: ...

        with pytest.raises(UnsupportedFunction, match=r"'nightly'.*timer schedule"):
            index_functions(app.get_functions())


def test_devhost_refuses_to_start_an_app_it_cannot_run(database_url: str, tmp_path) -> None:
    app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.event_grid_trigger(arg_name="event")
    def on_event(event: func.EventGridEvent) -> None: ...

    environment = LocalEnvironment(
        database_url, False, None, tmp_path, "test-admin-token-0123456789abcdef", False
    )
    host = Devhost(free_port(), False, functions=app.get_functions(), environment=environment)
    loop = LoopThread()
    try:
        with pytest.raises(UnsupportedFunction, match="'on_event'"):
            loop.run(host.start())
        loop.run(host.stop())  # a failed start leaves nothing to clean up that stop() trips on
    finally:
        loop.close()


# --- through the server -----------------------------------------------------------------------------------------
def test_requests_reach_the_function_with_method_url_query_headers_and_route_params(
    toy_host: ToyHost,
) -> None:
    response = toy_host.session.get(
        toy_host.url + "/api/echo?x=1&name=Ana%20Lima", headers={"X-Trace": "t-1"}, timeout=10
    )
    assert response.status_code == 200
    seen = response.json()
    assert seen["method"] == "GET"
    assert seen["url"] == toy_host.url + "/api/echo?x=1&name=Ana%20Lima"
    assert seen["params"] == {"x": "1", "name": "Ana Lima"}
    assert seen["headers"]["x-trace"] == "t-1"

    value = str(uuid.uuid4())
    assert toy_host.get(f"/api/items/{value}").json() == {
        "function": "item_by_guid",
        "route_params": {"id": value},
    }
    assert toy_host.get("/api/items/17").json() == {
        "function": "item_by_number",
        "route_params": {"number": "17"},
    }
    assert toy_host.get("/api/things/a").json() == {"function": "thing", "route_params": {"name": "a"}}
    assert toy_host.get("/api/things/a/b").json()["route_params"] == {"name": "a", "part": "b"}
    assert toy_host.get("/api/things/special").json()["function"] == "special_thing"
    assert toy_host.get("/api/files/cv/2024/ana.pdf").json()["route_params"] == {"path": "cv/2024/ana.pdf"}


def test_repeated_request_headers_arrive_comma_joined(toy_host: ToyHost) -> None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", toy_host.host.port, timeout=10)
    connection.putrequest("GET", "/api/echo")
    connection.putheader("X-Forwarded-For", "10.0.0.1")
    connection.putheader("X-Forwarded-For", "10.0.0.2")
    connection.endheaders()
    seen = connection.getresponse()
    assert seen.status == 200
    import json

    assert json.loads(seen.read())["headers"]["x-forwarded-for"] == "10.0.0.1, 10.0.0.2"
    connection.close()


def test_form_and_raw_bodies_reach_the_function_unchanged(toy_host: ToyHost) -> None:
    form = toy_host.post(
        "/api/echo", data=[("Body", "Yes, 5 years & more"), ("Tag", "a"), ("Tag", "b")]
    ).json()
    assert form["form"] == {"Body": ["Yes, 5 years & more"], "Tag": ["a", "b"]}
    assert form["headers"]["content-type"] == "application/x-www-form-urlencoded"

    raw = bytes(range(256))
    seen = toy_host.session.put(
        toy_host.url + "/api/echo", data=raw, headers={"Content-Type": "application/octet-stream"}, timeout=10
    ).json()
    assert bytes.fromhex(seen["body_hex"]) == raw
    assert seen["method"] == "PUT"


def test_responses_keep_status_headers_cookies_and_get_a_content_type_as_on_azure(toy_host: ToyHost) -> None:
    json_response = toy_host.post("/api/respond", json={"status": 201, "body": '{"a": 1}', "mimetype": "application/json",
                                                        "headers": {"X-Request-Id": "r-1", "Location": "/api/x/1"}})  # fmt: skip
    assert json_response.status_code == 201
    assert json_response.headers["Content-Type"] == "application/json"  # no charset outside text/*
    assert json_response.headers["X-Request-Id"] == "r-1"
    assert json_response.headers["Location"] == "/api/x/1"
    assert json_response.json() == {"a": 1}

    html = toy_host.post(
        "/api/respond", json={"body": "<p>olá</p>", "mimetype": "text/html", "charset": "iso-8859-1"}
    )
    assert html.headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert html.content == "<p>olá</p>".encode("iso-8859-1")

    default = toy_host.post("/api/respond", json={"body": "plain"})
    assert default.headers["Content-Type"] == "text/plain; charset=utf-8"

    explicit = toy_host.post("/api/respond", json={"body": "<r/>", "mimetype": "text/plain",
                                                   "headers": {"Content-Type": "application/xml"}})  # fmt: skip
    assert explicit.headers["Content-Type"] == "application/xml"  # what the function set wins

    cookies = toy_host.post("/api/respond", json={"status": 204, "cookies": ["a=1; Path=/", "b=2; HttpOnly"]})
    assert cookies.status_code == 204
    assert cookies.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; HttpOnly"]

    text = toy_host.get("/api/plain-string")
    assert (text.status_code, text.text, text.headers["Content-Type"]) == (
        200,
        "just a string",
        "text/plain; charset=utf-8",
    )


def test_unknown_paths_404_wrong_methods_405_with_allow_and_failures_500(toy_host: ToyHost) -> None:
    missing = toy_host.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith("application/problem+json")
    assert missing.json()["status"] == 404
    assert toy_host.get("/api/items/not-a-guid-or-number").status_code == 404  # constraints rule the path out

    wrong_method = toy_host.post("/api/things/special")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "DELETE, GET"
    assert wrong_method.json()["title"] == "Method Not Allowed"
    assert toy_host.session.delete(toy_host.url + "/api/things/a", timeout=10).status_code == 405

    failing = toy_host.get("/api/broken")
    assert failing.status_code == 500
    assert failing.json()["status"] == 500
    assert "always fails" not in failing.text  # no exception text leaks to the caller


# --- the real app, through devhost as a process -------------------------------------------------------------------
def test_real_app_health_jobs_and_openapi_through_devhost(app_devhost) -> None:
    health = app_devhost.session.get(app_devhost.url + "/api/health", timeout=10)
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.headers["Content-Type"] == "application/json"

    job = {"title": "Data Engineer", "requirements": ["SQL"], "questions": [{"text": "Which SQL engines?"}]}
    unauthenticated = app_devhost.session.post(app_devhost.url + "/api/jobs", json=job, timeout=10)
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["Content-Type"] == "application/problem+json"
    created = app_devhost.request("POST", "/api/jobs", job)
    assert created.status_code == 201, created.text
    job_id = created.json()["id"]
    assert app_devhost.api("GET", f"/api/jobs/{job_id}")["title"] == "Data Engineer"
    assert app_devhost.request("GET", "/api/jobs/not-a-uuid").status_code == 404

    document = app_devhost.session.get(app_devhost.url + "/api/openapi.json", timeout=10)
    assert document.status_code == 200
    assert document.json()["openapi"].startswith("3.")
    assert "/api/jobs" in document.json()["paths"]

    wrong_method = app_devhost.session.put(app_devhost.url + "/api/health", timeout=10)
    assert (wrong_method.status_code, wrong_method.headers["Allow"]) == (405, "GET")
    token_file = app_devhost.log_path.parent / "admin-token"
    assert token_file.read_text().strip() == app_devhost.token
    phone_page = app_devhost.session.get(app_devhost.url + "/dev/phone", timeout=10)
    assert phone_page.status_code == 200
    assert phone_page.headers["Content-Type"].startswith("text/html")
    assert "/dev/sms/inbound" in phone_page.text
