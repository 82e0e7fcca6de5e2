"""Fixtures: devhost in-process with the toy app (on a loop thread of its own, as devhost runs), a receiver
standing in for the app's Twilio webhooks, and devhost as a process running the real function_app."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests

from devhost.azurite import free_port
from devhost.environment import LocalEnvironment
from devhost.host import Devhost
from shared.settings import reset_settings_cache
from tests.conftest import TEST_ADMIN_TOKEN
from tests.devhost_server import toy_app
from tests.e2e.conftest import DevhostClient, start_devhost, stop_devhost

TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "toy-auth-token-" + secrets.token_hex(8)


class LoopThread:
    """One event loop on a thread, as devhost runs: the test thread stays free to be its HTTP client."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="devhost-loop", daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@dataclass
class ToyHost:
    host: Devhost
    url: str
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.url + path, timeout=30, **kwargs)

    def settle(self, timeout: float = 20) -> None:
        response = self.post("/dev/idle", params={"timeout": timeout})
        assert response.status_code == 200, response.text


@contextlib.contextmanager
def running_toy_host(
    database_url: str, tmp_path: Path, controllable_clock: bool = True, env: dict[str, str] | None = None
) -> Iterator[ToyHost]:
    """Devhost on a free port serving the toy app, with a task hub of its own on the test database."""
    port = free_port()
    settings = {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        **(env or {}),
    }
    environment = LocalEnvironment(database_url, False, None, tmp_path, TEST_ADMIN_TOKEN, False)
    host = Devhost(port, controllable_clock, functions=toy_app.functions(), environment=environment,
                   max_delivery_count=3, redelivery_delay_seconds=0.02,
                   hub_name=f"toy_{uuid.uuid4().hex[:10]}")  # fmt: skip
    loop = LoopThread()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in settings.items():
            patch.setenv(name, value)
        reset_settings_cache()
        try:
            loop.run(host.start())
            yield ToyHost(host, host.base_url)
        finally:
            loop.run(host.stop())
            loop.close()
    reset_settings_cache()


@pytest.fixture(scope="module")
def toy_host(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToyHost]:
    with running_toy_host(database_url, tmp_path_factory.mktemp("toy")) as host:
        yield host


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    pairs: list[tuple[str, str]]

    @property
    def form(self) -> dict[str, str]:
        return dict(self.pairs)


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST (path, headers, form) and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.status = 200
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                pairs = parse_qsl(body.decode(), keep_blank_values=True)
                with receiver._lock:
                    receiver.requests.append(Received(self.path, dict(self.headers.items()), pairs))
                payload = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
                self.send_response(receiver.status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, path: str, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(found := self.received(path)) < count:
            assert time.monotonic() < deadline, f"{len(found)} of {count} requests to {path} arrived"
            time.sleep(0.01)
        return found

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture(scope="session")
def app_devhost(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevhostClient]:
    """devhost as a process, serving the real function_app, with its own embedded PostgreSQL and Azurite."""
    client = start_devhost(tmp_path_factory.mktemp("app-devhost"), free_port())
    yield client
    stop_devhost(client)


def wait_until(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"condition not met within {timeout} s"
        time.sleep(0.01)
    return value


def processes_using(directory: Path) -> list[str]:
    """Command lines of running processes that name `directory` (PostgreSQL, Azurite)."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if str(directory) in command and process.pid != os.getpid():
            found.append(command)
    return found
