"""PostgreSQL access: a lazily created connection pool and transaction helpers.

Nothing connects at import time: the first `transaction()` creates the pool, so a cold start that never
touches the database opens no connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import psycopg2.extras
import psycopg2.pool

from shared.settings import Settings, get_settings

_ENTRA_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"

_pool_lock = threading.Lock()
_pool: psycopg2.pool.ThreadedConnectionPool | None = None
_pool_url: str | None = None


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached right now; callers answer 503 so clients retry."""


def resolve_database_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    from shared.db.embedded import embedded_database_url

    return embedded_database_url(settings.local_data_dir)


class _EntraToken:
    """Caches the managed identity's access token, used as the PostgreSQL password (Entra ID auth)."""

    def __init__(self, client_id: str | None) -> None:
        self._client_id = client_id
        self._token: str | None = None
        self._expires_on = 0.0
        self._lock = threading.Lock()

    def get(self) -> str:
        with self._lock:
            if self._token is None or self._expires_on - time.time() < 300:
                from azure.identity import DefaultAzureCredential

                credential = DefaultAzureCredential(managed_identity_client_id=self._client_id)
                token = credential.get_token(_ENTRA_SCOPE)
                self._token, self._expires_on = token.token, float(token.expires_on)
            return self._token


class _Pool(psycopg2.pool.ThreadedConnectionPool):
    """A pool whose new connections can carry a fresh Entra token as their password."""

    def __init__(self, maxconn: int, dsn: str, token: _EntraToken | None) -> None:
        self._token = token
        super().__init__(0, maxconn, dsn=dsn)
        # psycopg2 keeps at most `minconn` idle connections and closes the rest when they are returned;
        # with minconn=0 every transaction would open a new connection (milliseconds each). Opening none
        # up front (above) keeps imports connection-free; keeping up to maxconn idle makes them reusable.
        self.minconn = maxconn

    def _connect(self, key: Any = None) -> Any:
        if self._token is not None:
            self._kwargs["password"] = self._token.get()
        return super()._connect(key)


def get_pool() -> psycopg2.pool.ThreadedConnectionPool:
    global _pool, _pool_url
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                settings = get_settings()
                url = resolve_database_url(settings)
                token = _EntraToken(settings.azure_client_id) if settings.database_auth == "entra" else None
                _pool = _Pool(settings.database_pool_max, url, token)
                _pool_url = url
    return _pool


def current_database_url() -> str:
    get_pool()
    assert _pool_url is not None
    return _pool_url


def close_pool() -> None:
    """Close every pooled connection (tests, devhost shutdown, settings change)."""
    global _pool, _pool_url
    with _pool_lock:
        if _pool is not None:
            _pool.closeall()
        _pool, _pool_url = None, None


@contextmanager
def transaction() -> Iterator[psycopg2.extras.RealDictCursor]:
    """One transaction on a pooled connection: commit on success, roll back on error.

    A connection that broke (server restart) is discarded rather than returned to the pool, and the
    failure surfaces as DatabaseUnavailable.
    """
    pool = get_pool()
    try:
        conn = pool.getconn()
    except (psycopg2.OperationalError, psycopg2.pool.PoolError) as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    broken = False
    try:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            yield cur
        conn.commit()
    except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
        broken = True
        raise DatabaseUnavailable(str(exc)) from exc
    except BaseException:
        try:
            conn.rollback()
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            broken = True
        raise
    finally:
        pool.putconn(conn, close=broken or conn.closed != 0)


def fetch_one(query: str, params: tuple | dict | None = None) -> dict | None:
    with transaction() as cur:
        cur.execute(query, params)
        return cur.fetchone()


def fetch_all(query: str, params: tuple | dict | None = None) -> list[dict]:
    with transaction() as cur:
        cur.execute(query, params)
        return list(cur.fetchall())


def execute(query: str, params: tuple | dict | None = None) -> int:
    with transaction() as cur:
        cur.execute(query, params)
        return cur.rowcount
