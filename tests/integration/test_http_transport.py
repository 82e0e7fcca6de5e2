"""The Table Storage transport against loopback servers: connection reuse, dropped connections, errors."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from azure.core.exceptions import ServiceRequestError, ServiceResponseTimeoutError
from azure.core.rest import HttpRequest

from shared.adapters.http_transport import HttpClientTransport


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the handler closes
    connections: set[int] = set()
    hang = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/hang":
            self.hang.wait(5)
        _Handler.connections.add(self.client_address[1])  # one client port per connection
        self.send_response(201)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)  # an echo
        if self.path == "/drop":  # close after answering, without saying so: the client still keeps it
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.connections.clear()
    _Handler.hang.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    _Handler.hang.set()
    httpd.shutdown()
    httpd.server_close()


def test_requests_reuse_one_connection_and_bodies_go_as_utf8(server: str) -> None:
    transport = HttpClientTransport(connection_timeout=2, read_timeout=2)
    for text in ("plain", "Ça marche 👍 — 你好"):
        response = transport.send(HttpRequest("POST", f"{server}/echo", content=text))
        assert response.status_code == 201 and response.content == text.encode("utf-8")
    assert len(_Handler.connections) == 1
    transport.close()


def test_a_connection_the_server_closed_while_idle_is_not_reused(server: str) -> None:
    transport = HttpClientTransport(connection_timeout=2, read_timeout=2)
    assert transport.send(HttpRequest("POST", f"{server}/drop", content=b"1")).status_code == 201
    time.sleep(0.5)  # until the server's close has arrived (a request racing it fails, as with any client)
    # The server has closed that connection; sending on it would fail. A new one is used instead.
    assert transport.send(HttpRequest("POST", f"{server}/echo", content=b"2")).content == b"2"
    assert len(_Handler.connections) == 2
    transport.close()


def test_timeouts_and_refused_connections_raise_the_errors_the_retry_policy_expects(server: str) -> None:
    transport = HttpClientTransport(connection_timeout=2, read_timeout=0.3)
    with pytest.raises(ServiceResponseTimeoutError):
        transport.send(HttpRequest("POST", f"{server}/hang", content=b"x"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here
    with pytest.raises(ServiceRequestError):
        transport.send(HttpRequest("POST", f"http://127.0.0.1:{port}/", content=b"x"))
    transport.close()


@pytest.mark.usefixtures("azurite")
def test_conversation_log_keeps_any_text_through_the_transport() -> None:
    from shared.adapters.conversation_log import conversation_log

    log = conversation_log()
    sid, interview = "SM" + uuid.uuid4().hex, uuid.uuid4()
    body = "Oui, 5 ans 👍 — 你好 — ñ"
    log.record_inbound(sid=sid, phone="+14155550100", body=body, kind="answer", interview_id=interview)
    assert log.get(sid)["body"] == body
    assert [e["body"] for e in log.list_for_interview(interview)] == [body]
