"""A stand-in for the Gemini API's generateContent endpoint, for tests and benchmarks.

Stdlib only. Listens on 127.0.0.1 on a free port, serves POST /v1beta/models/{model}:generateContent, checks
the x-goog-api-key header, records every request and replays a scripted queue of responses (then a default
one, if set). The response envelopes follow the real API, so the real google-genai client is exercised.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import BaseModel

_PATH = re.compile(r"^/v1beta/models/(?P<model>[^/:]+):generateContent$")
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@dataclass(frozen=True)
class FakeResponse:
    """One scripted reply: an HTTP status and JSON body, sent after `delay_s` (None: the server default)."""

    status: int
    body: dict[str, Any]
    delay_s: float | None = None

    def after(self, delay_s: float) -> FakeResponse:
        return FakeResponse(self.status, self.body, delay_s)


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    model: str | None
    api_key: str | None
    body: dict[str, Any] | None
    received_at: float
    client_port: int  # same port on successive requests = the client reused its connection

    @property
    def user_texts(self) -> list[str]:
        """The text parts of every user turn, in order."""
        contents = (self.body or {}).get("contents", [])
        return [
            part["text"] for c in contents if c.get("role") == "user" for part in c["parts"] if "text" in part
        ]

    @property
    def system_text(self) -> str:
        parts = ((self.body or {}).get("systemInstruction") or {}).get("parts", [])
        return "".join(part.get("text", "") for part in parts)


def model_text(text: str, model_version: str = "gemini-2.5-flash") -> FakeResponse:
    """A 200 whose single candidate part is `text` (valid JSON or not: the caller decides)."""
    return FakeResponse(
        200,
        {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2},
            "modelVersion": model_version,
        },
    )


def verdict_json(verdict: BaseModel | dict[str, Any]) -> FakeResponse:
    """A 200 carrying a verdict as the model's JSON text."""
    data = verdict.model_dump(mode="json") if isinstance(verdict, BaseModel) else verdict
    return model_text(json.dumps(data))


def http_error(status: int, message: str | None = None) -> FakeResponse:
    status_name = _STATUS_NAMES.get(status, "UNKNOWN")
    return FakeResponse(
        status,
        {"error": {"code": status, "message": message or f"fake {status}", "status": status_name}},
    )


@dataclass
class FakeGemini:
    api_key: str = "test-gemini-key"
    latency_s: float = 0.0  # default delay before every reply
    default: FakeResponse | None = None  # served when the script is empty; None: a 400 that says so
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._script: deque[FakeResponse] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ---

    def start(self) -> FakeGemini:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval keeps stop() (and so every test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-gemini", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes replies that are sleeping through a scripted delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeGemini:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def enqueue(self, *responses: FakeResponse) -> None:
        with self._lock:
            self._script.extend(responses)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    # --- serving ---

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_response(self) -> FakeResponse:
        with self._lock:
            if self._script:
                return self._script.popleft()
        if self.default is not None:
            return self.default
        return http_error(400, "fake_gemini: no scripted response left")

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; False when it is."""
        return not self._stopping.wait(seconds) if seconds > 0 else True


def _handler_for(fake: FakeGemini) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's pooled client expects
        disable_nagle_algorithm = True  # else Nagle + delayed ACK add ~40 ms to every reply

        def do_POST(self) -> None:  # noqa: N802 (stdlib name)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            match = _PATH.match(self.path)
            api_key = self.headers.get("x-goog-api-key")
            fake._record(
                RecordedRequest(
                    path=self.path,
                    model=match["model"] if match else None,
                    api_key=api_key,
                    body=body,
                    received_at=time.monotonic(),
                    client_port=self.client_address[1],
                )
            )
            if match is None:
                self._send(http_error(404, f"fake_gemini: unknown path {self.path}"))
            elif api_key != fake.api_key:
                self._send(http_error(400, "API key not valid. Please pass a valid API key."))
            elif body is None:
                self._send(http_error(400, "fake_gemini: request body is not JSON"))
            else:
                reply = fake._next_response()
                delay = fake.latency_s if reply.delay_s is None else reply.delay_s
                if fake._sleep(delay):
                    self._send(reply)

        def _send(self, reply: FakeResponse) -> None:
            payload = json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status, HTTPStatus(reply.status).phrase)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to tell it

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
            pass  # keep test output clean

    return Handler
