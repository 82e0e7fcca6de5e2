"""Run the database migrations as the deploying identity, then give the app's identity access to the tables.

Runs after every deployment: in the deploy workflow and in azd's postdeploy hook. The server accepts only
Entra ID tokens, so this script gets one for whoever is signed in (the Azure CLI in the workflow, azd or the
Azure CLI on a laptop), runs `python -m shared.db migrate` with it, and then grants the app's role the rights
it needs: the tables belong to the deployer's role, which created them, not to the app's.

Environment (azd and the workflow set these from the Bicep outputs):
  POSTGRES_HOST, POSTGRES_DATABASE   the server and database
  DEPLOYER_PRINCIPAL_NAME            the deployer's PostgreSQL role (a user's UPN, a service principal's
                                     display name); an Entra admin of the server (Bicep makes it one)
  APP_IDENTITY_NAME                  the app's role (its managed identity's name)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Audience of Azure Database for PostgreSQL access tokens.
ENTRA_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"
REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ("POSTGRES_HOST", "POSTGRES_DATABASE", "DEPLOYER_PRINCIPAL_NAME", "APP_IDENTITY_NAME")


def libpq_dsn(**params: str | int) -> str:
    """A key=value connection string; values are quoted, since role names can hold '@' and spaces."""

    def quote(value: str | int) -> str:
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    return " ".join(f"{key}={quote(value)}" for key, value in params.items())


def deployer_dsn(environ: Mapping[str, str]) -> str:
    return libpq_dsn(
        host=environ["POSTGRES_HOST"],
        port=environ.get("POSTGRES_PORT", "5432"),
        dbname=environ["POSTGRES_DATABASE"],
        user=environ["DEPLOYER_PRINCIPAL_NAME"],
        sslmode="require",
    )


def grant_app_access(conn: Any, app_role: str, schema: str = "public") -> None:
    """Data rights (no DDL) for `app_role` on every table and sequence in `schema`, present and future.

    `conn` must be connected as the role that owns the tables (the one that ran the migrations): default
    privileges apply to objects that role creates later, so the next migration needs no new grant.
    """
    from psycopg2 import sql

    role, space = sql.Identifier(app_role), sql.Identifier(schema)
    statements = [
        "GRANT USAGE ON SCHEMA {space} TO {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {space} TO {role}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {space} TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {space} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {space} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ]
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(sql.SQL(statement).format(space=space, role=role))
    conn.commit()


def entra_token() -> str:
    """An access token for PostgreSQL for the signed-in identity (Azure CLI, azd, or environment)."""
    from azure.identity import DefaultAzureCredential

    # The runner and a laptop have no managed identity; skipping it saves the metadata-endpoint probe.
    credential = DefaultAzureCredential(exclude_managed_identity_credential=True)
    return credential.get_token(ENTRA_SCOPE).token


def migration_environment(environ: Mapping[str, str], token: str) -> dict[str, str]:
    """The environment `python -m shared.db migrate` runs in: the deployer's DSN, its token as password."""
    env = dict(environ)
    env["DATABASE_URL"] = deployer_dsn(environ)
    env["DATABASE_AUTH"] = "entra"
    # libpq reads PGPASSWORD when the DSN has no password: the token works whether or not the migrate
    # command fetches one itself.
    env["PGPASSWORD"] = token
    # Not the app's identity: the deployer signs in as itself.
    env.pop("AZURE_CLIENT_ID", None)
    return env


def main(environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    missing = [name for name in REQUIRED if not environ.get(name)]
    if missing:
        print(f"error: set {', '.join(missing)} (outputs of the Bicep deployment)", file=sys.stderr)
        return 2
    token = entra_token()
    env = migration_environment(environ, token)
    migrate = [sys.executable, "-m", "shared.db", "migrate"]
    result = subprocess.run(migrate, cwd=REPO_ROOT, env=env, check=False)
    if result.returncode != 0:
        return result.returncode

    import psycopg2

    conn = psycopg2.connect(env["DATABASE_URL"], password=token)
    try:
        grant_app_access(conn, environ["APP_IDENTITY_NAME"])
    finally:
        conn.close()
    print(f"granted data access on {environ['POSTGRES_DATABASE']} to {environ['APP_IDENTITY_NAME']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
