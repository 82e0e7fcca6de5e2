"""Shared fixtures: a real PostgreSQL (embedded, or a fresh database on the server named by DATABASE_URL)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from shared import db
from shared.db.embedded import embedded_database_url, ensure_database
from shared.db.migrate import migrate
from shared.settings import reset_settings_cache

TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database for this test session; the app's settings point at it."""
    server_url = os.environ.get("DATABASE_URL")
    name = f"interview_test_{uuid.uuid4().hex[:8]}"
    if server_url:
        ensure_database(server_url, name)
        url = _with_database(server_url, name)
    else:
        url = embedded_database_url(traversable_temp_dir("pg"), name)
    migrate(url)
    previous = {k: os.environ.get(k) for k in ("DATABASE_URL", "ADMIN_TOKEN")}
    os.environ["DATABASE_URL"] = url
    os.environ["ADMIN_TOKEN"] = TEST_ADMIN_TOKEN
    reset_settings_cache()
    db.close_pool()
    yield url
    db.close_pool()
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reset_settings_cache()


def traversable_temp_dir(prefix: str, keep: bool = False) -> Path:
    """A fresh directory the embedded PostgreSQL can use: pgserver runs postgres as its own user when we are
    root, and pytest's temp root is private to us, so that user could not stop its server at exit.

    Removed when the process exits unless `keep` (a benchmark's logs): registered now, so it runs after the
    exit handler a PostgreSQL server started in it registers later (atexit runs handlers last first)."""
    path = Path(tempfile.mkdtemp(prefix=f"interview-ai-{prefix}-"))
    path.chmod(0o755)
    if not keep:
        atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _with_database(url: str, name: str) -> str:
    from psycopg2.extensions import make_dsn, parse_dsn

    return make_dsn(**{**parse_dsn(url), "dbname": name})


@pytest.fixture
def clean_db(database_url: str) -> Iterator[str]:
    """Every application table emptied before the test."""
    conn = psycopg2.connect(database_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                "SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
            )
            tables = cur.fetchone()[0]
            if tables:
                cur.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        conn.close()
    yield database_url


@pytest.fixture(scope="session")
def azurite() -> Iterator[str]:
    """An in-memory Azurite (Blob and Table) for this session; AzureWebJobsStorage points at it. Opt in by
    naming the fixture (or `@pytest.mark.usefixtures("azurite")`)."""
    from devhost.azurite import start_azurite
    from shared.adapters.storage import reset_storage_clients

    emulator = start_azurite(None)
    previous = os.environ.get("AzureWebJobsStorage")
    os.environ["AzureWebJobsStorage"] = emulator.connection_string
    reset_settings_cache()
    reset_storage_clients()
    yield emulator.connection_string
    reset_storage_clients()
    emulator.stop()
    if previous is None:
        os.environ.pop("AzureWebJobsStorage", None)
    else:
        os.environ["AzureWebJobsStorage"] = previous
    reset_settings_cache()
