"""The Table Storage transport against loopback servers: connection reuse, dropped connections, errors."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


def _certificates(directory: Path) -> tuple[Path, Path]:
    """A throw-away CA and a certificate it signed for 127.0.0.1: (CA file, server cert+key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signer: object,
                    ca: bool) -> x509.Certificate:  # fmt: skip
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = certificate("test CA", ca_key, ca_name, ca_key, ca=True)
    server = certificate("127.0.0.1", server_key, ca_name, ca_key, ca=False)
    ca_file, server_file = directory / "ca.pem", directory / "server.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    server_file.write_bytes(
        server.public_bytes(serialization.Encoding.PEM)
        + server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_file, server_file


def test_https_checks_the_server_certificate(tmp_path: Path) -> None:
    ca_file, server_file = _certificates(tmp_path)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(server_file)
    httpd.socket = server_tls.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{httpd.server_address[1]}/echo"
    try:
        untrusting = HttpClientTransport(connection_timeout=2, read_timeout=2)  # certifi's CAs only
        with pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusting.send(HttpRequest("POST", url, content=b"secret"))
        trusting = HttpClientTransport(
            connection_timeout=2, read_timeout=2, tls_context=ssl.create_default_context(cafile=ca_file)
        )
        for text in (b"one", b"two"):  # and the TLS connection is kept for the second request
            assert trusting.send(HttpRequest("POST", url, content=text)).content == text
        trusting.close()
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.usefixtures("azurite")
def test_conversation_log_keeps_any_text_through_the_transport() -> None:
    from shared.adapters.conversation_log import conversation_log

    log = conversation_log()
    sid, interview = "SM" + uuid.uuid4().hex, uuid.uuid4()
    body = "Oui, 5 ans 👍 — 你好 — ñ"
    log.record_inbound(sid=sid, phone="+14155550100", body=body, kind="answer", interview_id=interview)
    assert log.get(sid)["body"] == body
    assert [e["body"] for e in log.list_for_interview(interview)] == [body]
