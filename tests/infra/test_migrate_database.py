"""infra/scripts/migrate_database.py: the migration environment it builds, and its grants on a real
PostgreSQL (embedded, pgserver) where, as on Azure, the deployer owns the tables and the app does not."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from types import ModuleType

import psycopg2
import pytest
from psycopg2 import errors, sql

from tests.conftest import traversable_temp_dir
from tests.infra.bicep_support import REPO

DEPLOYER = "deployer@contoso.example"  # a UPN: '@' and '.' must survive quoting
APP = "id-iai-test"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "migrate_database", REPO / "infra" / "scripts" / "migrate_database.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = load_script()

ENVIRON = {
    "POSTGRES_HOST": "psql-iai-abc.postgres.database.azure.com",
    "POSTGRES_DATABASE": "interviewai",
    "DEPLOYER_PRINCIPAL_NAME": "GitHub Deploy (prod)",
    "APP_IDENTITY_NAME": APP,
    "AZURE_CLIENT_ID": "app-identity-client-id",
    "PATH": "/usr/bin",
}


def test_migration_runs_as_the_deployer_over_tls_with_its_token() -> None:
    env = script.migration_environment(ENVIRON, token="eyJ0eXAi.token")
    dsn = psycopg2.extensions.parse_dsn(env["DATABASE_URL"])
    assert dsn == {
        "host": "psql-iai-abc.postgres.database.azure.com",
        "port": "5432",
        "dbname": "interviewai",
        "user": "GitHub Deploy (prod)",
        "sslmode": "require",
    }
    assert env["DATABASE_AUTH"] == "entra"
    assert env["PGPASSWORD"] == "eyJ0eXAi.token"  # the token, not a password, and never in the URL
    assert "AZURE_CLIENT_ID" not in env  # the deployer signs in as itself, not as the app's identity
    assert env["PATH"] == "/usr/bin"


def test_dsn_values_with_quotes_and_backslashes_round_trip() -> None:
    awkward = "o'brien\\admin@contoso.example"
    assert psycopg2.extensions.parse_dsn(script.libpq_dsn(user=awkward, port=5432)) == {
        "user": awkward,
        "port": "5432",
    }


def test_missing_outputs_stop_before_any_sign_in(capsys: pytest.CaptureFixture[str]) -> None:
    assert script.main({"POSTGRES_HOST": "h"}) == 2
    assert "POSTGRES_DATABASE, DEPLOYER_PRINCIPAL_NAME, APP_IDENTITY_NAME" in capsys.readouterr().err


@pytest.fixture(scope="module")
def server_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(traversable_temp_dir("infra-pg"), cleanup_mode="stop")
    uri = server.get_uri()
    conn = psycopg2.connect(uri)
    conn.autocommit = True
    with conn.cursor() as cur:
        # As on Azure: Entra admins may create objects in public (PostgreSQL 15+ no longer lets everyone).
        for role in (DEPLOYER, APP):
            cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        cur.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(sql.Identifier(DEPLOYER)))
    conn.close()
    yield uri
    server.cleanup()


def connect(uri: str, role: str) -> psycopg2.extensions.connection:
    conn = psycopg2.connect(uri, user=role)
    conn.autocommit = True
    return conn


def test_app_role_can_use_tables_of_past_and_future_migrations_but_not_change_them(server_uri: str) -> None:
    deployer = connect(server_uri, DEPLOYER)
    with deployer.cursor() as cur:
        cur.execute("CREATE TABLE jobs (id bigserial PRIMARY KEY, title text NOT NULL)")
    deployer.autocommit = False
    script.grant_app_access(deployer, APP)
    deployer.autocommit = True
    with deployer.cursor() as cur:  # a later migration, after the grant
        cur.execute("CREATE TABLE scores (id bigserial PRIMARY KEY, fit integer NOT NULL)")

    app = connect(server_uri, APP)
    with app.cursor() as cur:
        cur.execute("INSERT INTO jobs (title) VALUES ('Welder') RETURNING id")  # uses the sequence
        assert cur.fetchone()[0] == 1
        cur.execute("UPDATE jobs SET title = 'Senior welder'")
        cur.execute("INSERT INTO scores (fit) VALUES (87)")
        cur.execute("SELECT j.title, s.fit FROM jobs j, scores s")
        assert cur.fetchall() == [("Senior welder", 87)]
        cur.execute("DELETE FROM scores")
        for ddl in ("DROP TABLE jobs", "ALTER TABLE jobs ADD COLUMN x int", "TRUNCATE jobs"):
            with pytest.raises(errors.InsufficientPrivilege):
                cur.execute(ddl)
        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute("CREATE TABLE mine (id int)")
    app.close()
    deployer.close()


def test_grants_are_idempotent(server_uri: str) -> None:
    deployer = connect(server_uri, DEPLOYER)
    deployer.autocommit = False
    script.grant_app_access(deployer, APP)
    script.grant_app_access(deployer, APP)
    deployer.close()
