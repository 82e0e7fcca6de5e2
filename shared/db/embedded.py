"""Embedded PostgreSQL for local runs and tests (the `pgserver` package, a development dependency).

pgserver keeps one server per data directory and shares it between processes; it stops the server when the
last process using it exits. It counts those processes in a file; one that was killed (SIGKILL, a crash)
never takes itself off, so the server would never stop: joining a server forgets such processes first.
"""

from __future__ import annotations

import threading
from pathlib import Path

_lock = threading.Lock()
_servers: dict[Path, object] = {}


def embedded_database_url(local_data_dir: Path, database: str = "postgres") -> str:
    """Start (or join) the embedded server under `local_data_dir/postgres` and return a DSN for `database`."""
    try:
        import pgserver
    except ImportError as exc:  # deployed packages do not ship it
        raise RuntimeError(
            "DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not installed; "
            "set DATABASE_URL or install requirements-dev.txt"
        ) from exc
    data_dir = (Path(local_data_dir) / "postgres").resolve()
    with _lock:
        server = _servers.get(data_dir)
        if server is None:
            data_dir.parent.mkdir(parents=True, exist_ok=True)
            _forget_dead_processes(data_dir)
            server = pgserver.get_server(data_dir)
            _servers[data_dir] = server
    if database != "postgres":
        ensure_database(server.get_uri(), database)
    return server.get_uri(database)


def _forget_dead_processes(pgdata: Path) -> None:
    """Drop the processes that no longer exist from pgserver's list of the server's users."""
    import psutil  # a dependency of pgserver
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import DiskList

    handles = DiskList(pgdata / ".handle_pids.json")
    with PostgresServer._lock:  # the inter-process lock pgserver takes around that list
        pids = handles.get()
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.put(alive)


def ensure_database(admin_url: str, database: str) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(admin_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        conn.close()
