"""PostgreSQL access: a lazily created connection pool and transaction helpers.

Nothing connects at import time: the first `transaction()` creates the pool, so a cold start that never
touches the database opens no connection. psycopg2 itself is imported on first use too (it costs about
20 ms, and every functions/ module imports this one): the pool classes live in shared.db.pool.
"""

from __future__ import annotations

import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from psycopg2.extras import RealDictCursor

    from shared.db.pool import KeepAlivePool

_ENTRA_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"

_pool_lock = threading.Lock()
_pool: KeepAlivePool | None = None
_pool_url: str | None = None


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached right now; callers answer 503 so clients retry."""


def resolve_database_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    from shared.db.embedded import embedded_database_url

    return embedded_database_url(settings.local_data_dir)


def authenticated_database_url(settings: Settings | None = None) -> str:
    """The DSN for one-off connections (migrations): with DATABASE_AUTH=entra, the token is the password."""
    settings = settings or get_settings()
    url = resolve_database_url(settings)
    if settings.database_auth != "entra":
        return url
    from psycopg2.extensions import make_dsn

    return make_dsn(url, password=_EntraToken(settings.azure_client_id).get())


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


def server_hung_up(conn: Any) -> bool:
    """True when an idle connection can no longer be used: closed, or the server has spoken on it.

    The server says nothing to an idle client (we never LISTEN), except when it ends the session: a
    restart or shutdown sends "FATAL: terminating connection" and closes the socket. So a readable socket
    means the next statement would fail; checking costs one non-blocking select(), no round trip."""
    if conn.closed:
        return True
    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def get_pool() -> KeepAlivePool:
    global _pool, _pool_url
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                from shared.db.pool import TokenPool

                settings = get_settings()
                url = resolve_database_url(settings)
                token = _EntraToken(settings.azure_client_id) if settings.database_auth == "entra" else None
                _pool = TokenPool(settings.database_pool_max, url, token)
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
def transaction() -> Iterator[RealDictCursor]:
    """One transaction on a pooled connection: commit on success, roll back on error.

    A connection that broke (server restart) is discarded rather than returned to the pool, and the
    failure surfaces as DatabaseUnavailable.
    """
    import psycopg2  # on first use, not at import (see the module docstring); get_pool() has loaded it
    import psycopg2.extras
    import psycopg2.pool

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
