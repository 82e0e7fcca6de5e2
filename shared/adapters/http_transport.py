"""A lean azure-core transport for Table Storage: http.client over kept-alive connections.

Every conversation-log and audit write is one small JSON request. Through azure-core's default transport
(requests on urllib3) the HTTP client alone costs about 0.9 ms of CPU per request here, against 0.3 ms for
http.client itself, i.e. about half of a Table operation. This transport sends each request on an idle
connection to the same host (or a new one) and reads the whole response before handing the connection
back. What the default transport gives and this one keeps:
- TLS with certificate and host name checks against certifi's CA bundle (the bundle `requests` uses);
- no redirects followed, no retries at this level (azure-core's RedirectPolicy and RetryPolicy do both);
- the connection and read timeouts the client was built with, or the ones a call passes;
- a connection the server has closed while idle is not reused (checked before each request);
- the same errors: ServiceRequestError (connecting), ServiceResponseError (sending or reading; a
  ...TimeoutError variant for timeouts), so the retry policy treats failures as before.
It supports what Table Storage needs and refuses what it does not: no proxies (none is configured anywhere in
this app), no file uploads. Responses are always read whole, also when a caller asks for a stream (Table
transactions do, to parse their multipart answer): every Table response is small.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import (
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest._http_response_impl import RestHttpClientTransportResponse

_MAX_IDLE_PER_HOST = 32


class _ReadResponse:
    """An http.client response whose body has been read, as RestHttpClientTransportResponse wraps one."""

    def __init__(self, status: int, reason: str, headers: list[tuple[str, str]], content: bytes) -> None:
        self.status, self.reason, self._headers, self._content = status, reason, headers, content

    def getheaders(self) -> list[tuple[str, str]]:
        return self._headers

    def read(self) -> bytes:
        return self._content

    def close(self) -> None:
        pass


class _Response(RestHttpClientTransportResponse):
    """A response read whole: iterating it yields the bytes already read."""

    def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.read()

    def iter_raw(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.read()


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """An idle kept-alive socket that is readable has been closed by the server (or holds garbage)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class HttpClientTransport(HttpTransport):
    def __init__(
        self,
        *,
        connection_timeout: float = 300,
        read_timeout: float = 300,
        tls_context: ssl.SSLContext | None = None,
        **_: Any,
    ) -> None:
        """`tls_context` replaces the default (certifi's CA bundle, host names checked); tests use it."""
        self._connection_timeout = connection_timeout
        self._read_timeout = read_timeout
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._tls = tls_context

    # -- HttpTransport -----------------------------------------------------------------------------------

    def __enter__(self) -> HttpClientTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def open(self) -> None:
        pass

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def send(self, request: Any, **kwargs: Any) -> Any:
        if kwargs.get("proxies"):
            raise ValueError("HttpClientTransport does not use proxies")
        if getattr(request, "files", None):
            raise ValueError("HttpClientTransport does not send file uploads")
        connect_timeout = kwargs.get("connection_timeout", self._connection_timeout)
        read_timeout = kwargs.get("read_timeout", self._read_timeout)
        if isinstance(connect_timeout, tuple):
            connect_timeout, read_timeout = connect_timeout
        url = urlsplit(request.url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ServiceRequestError(f"unsupported URL {url.scheme}://{url.hostname}")
        key = (url.scheme, url.hostname, url.port or (443 if url.scheme == "https" else 80))
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        body = request.content if hasattr(request, "content") else request.data
        headers = dict(request.headers)
        if isinstance(body, str):
            body = body.encode("utf-8")  # http.client would encode a str as Latin-1
        if body is not None:
            for name in [name for name in headers if name.lower() == "content-length"]:
                del headers[name]  # a length counted in characters would cut the body: http.client counts

        connection = self._idle_connection(key) or self._connect(key, connect_timeout)
        try:
            connection.sock.settimeout(read_timeout)
            connection.request(request.method, target, body=body, headers=headers)
            raw = connection.getresponse()
            content = raw.read()
        except TimeoutError as error:
            connection.close()
            raise ServiceResponseTimeoutError(error, error=error) from error
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise ServiceResponseError(error, error=error) from error
        except BaseException:
            connection.close()
            raise
        if raw.will_close:
            connection.close()
        else:
            self._release(key, connection)
        response = _Response(
            request=request,
            internal_response=_ReadResponse(raw.status, raw.reason, raw.getheaders(), content),
        )
        response.read()
        return response

    # -- connections -------------------------------------------------------------------------------------

    def _idle_connection(self, key: tuple[str, str, int]) -> http.client.HTTPConnection | None:
        while True:
            with self._lock:
                connections = self._idle.get(key)
                if not connections:
                    return None
                connection = connections.pop()
            if not _dropped(connection):
                return connection
            connection.close()

    def _release(self, key: tuple[str, str, int], connection: http.client.HTTPConnection) -> None:
        with self._lock:
            connections = self._idle.setdefault(key, [])
            if len(connections) < _MAX_IDLE_PER_HOST:
                connections.append(connection)
                return
        connection.close()

    def _connect(self, key: tuple[str, str, int], timeout: float) -> http.client.HTTPConnection:
        scheme, host, port = key
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=self._tls_context())
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.connect()
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except TimeoutError as error:
            connection.close()
            raise ServiceRequestTimeoutError(error, error=error) from error
        except OSError as error:
            connection.close()
            raise ServiceRequestError(error, error=error) from error
        return connection

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            import certifi

            self._tls = ssl.create_default_context(cafile=certifi.where())
        return self._tls
