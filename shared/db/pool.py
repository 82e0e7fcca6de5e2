"""The connection pools, apart from shared.db so that importing shared.db does not import psycopg2."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import psycopg2.pool

from shared.db import server_hung_up

if TYPE_CHECKING:
    from shared.db import _EntraToken


class KeepAlivePool(psycopg2.pool.ThreadedConnectionPool):
    """Opens connections on demand and keeps up to `maxconn` of them open for reuse.

    psycopg2's pools keep only `minconn` idle connections and close the rest when they are returned, and
    open all `minconn` up front: with minconn=0 every transaction would reconnect, with minconn=maxconn the
    first request would open them all. Raising minconn after construction gives lazy opening and reuse.

    Connections the server hung up on while they sat in the pool (a database restart) are closed and
    replaced when taken, so a restart costs no failed transaction once the server is back.

    When all `maxconn` are in use, a caller waits up to `wait_seconds` for one to come back (psycopg2's
    pool fails at once, which turns a burst of more threads than connections into errors and 503s).
    """

    def __init__(self, maxconn: int, dsn: str, wait_seconds: float = 10.0) -> None:
        super().__init__(0, maxconn, dsn=dsn)
        self.minconn = maxconn
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(maxconn)

    def getconn(self, key: Any = None) -> Any:
        if not self._slots.acquire(timeout=self.wait_seconds):
            raise psycopg2.pool.PoolError(
                f"connection pool exhausted: all {self.maxconn} connections busy for {self.wait_seconds:.0f} s"
            )
        try:
            for _ in range(self.maxconn):
                conn = super().getconn(key)
                if not server_hung_up(conn):
                    return conn
                super().putconn(conn, key, close=True)
            return super().getconn(key)
        except BaseException:
            self._slots.release()
            raise

    def putconn(self, conn: Any, key: Any = None, close: bool = False) -> None:
        try:
            super().putconn(conn, key, close)
        finally:
            self._slots.release()


class TokenPool(KeepAlivePool):
    """A pool whose new connections can carry a fresh Entra token as their password."""

    def __init__(self, maxconn: int, dsn: str, token: _EntraToken | None) -> None:
        self._token = token
        super().__init__(maxconn, dsn)

    def _connect(self, key: Any = None) -> Any:
        if self._token is not None:
            self._kwargs["password"] = self._token.get()
        return super()._connect(key)
