"""devhost's environment: local.settings.json, local defaults, and the stand-ins (PostgreSQL, Azurite).

As the Functions host does, `Values` from local.settings.json become environment variables and the real
environment wins. Whatever the app needs locally and was not configured gets a local default here, before
the app reads its settings.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from devhost.azurite import Azurite, launch_azurite
from shared.db.embedded import embedded_database_url
from shared.db.migrate import migrate
from shared.settings import reset_settings_cache

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LocalEnvironment:
    database_url: str
    database_embedded: bool
    azurite: Azurite | None
    data_dir: Path
    admin_token: str
    admin_token_generated: bool

    def stop(self) -> None:
        if self.azurite is not None:
            self.azurite.stop()


def load_local_settings(path: Path, environ: dict[str, str] | os._Environ) -> list[str]:
    """Copy local.settings.json `Values` into `environ` where it has no value; return the names copied.

    As with the Functions host, the real environment wins; an empty variable counts as no value, as it does
    for the app's settings."""
    if not path.exists():
        return []
    try:
        values = json.loads(path.read_text(encoding="utf-8")).get("Values", {})
    except (ValueError, OSError) as exc:
        raise SystemExit(f"devhost: cannot read {path}: {exc}") from None
    copied = []
    for name, value in values.items():
        if not environ.get(name) and value not in (None, ""):
            environ[name] = str(value)
            copied.append(name)
    return copied


def _persistent_secret(data_dir: Path, name: str, make: str) -> str:
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    path.write_text(make)
    path.chmod(0o600)
    return make


def prepare(port: int) -> LocalEnvironment:
    env = os.environ
    # Tests set DEVHOST_LOCAL_SETTINGS= (empty) so that a developer's local.settings.json cannot leak into them.
    settings_file = env.get("DEVHOST_LOCAL_SETTINGS", str(ROOT / "local.settings.json"))
    if settings_file:
        load_local_settings(Path(settings_file), env)
    data_dir = Path(env.get("LOCAL_DATA_DIR") or ".local").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env["LOCAL_DATA_DIR"] = str(data_dir)

    base = f"http://127.0.0.1:{port}"
    defaults = {
        "PUBLIC_BASE_URL": lambda: base,
        "TWILIO_API_BASE_URL": lambda: base,
        "TWILIO_ACCOUNT_SID": lambda: _persistent_secret(
            data_dir, "twilio-account-sid", "AC" + secrets.token_hex(16)
        ),
        "TWILIO_AUTH_TOKEN": lambda: _persistent_secret(data_dir, "twilio-auth-token", secrets.token_hex(16)),
    }
    if not env.get("TWILIO_MESSAGING_SERVICE_SID"):
        defaults["TWILIO_FROM_NUMBER"] = lambda: "+15005550006"
    for name, default in defaults.items():
        if not env.get(name):  # unset or empty, as the app's settings see it
            env[name] = default()

    generated = not env.get("ADMIN_TOKEN")
    if generated:
        env["ADMIN_TOKEN"] = "iai_local_" + secrets.token_urlsafe(24)
    token_file = data_dir / "admin-token"
    token_file.write_text(env["ADMIN_TOKEN"] + "\n")
    token_file.chmod(0o600)

    # One process runs every function here, on more threads than a Functions worker has (the loop's default
    # executor, the sync-function pool, the task hub's activity workers, the SMS webhook's own threads); the
    # app's pool raises rather than waits when it runs out, which a webhook turns into a 503.
    env.setdefault("DATABASE_POOL_MAX", "50")

    azurite = None
    storage = env.get("AzureWebJobsStorage")
    if (
        not storage and not env.get("AzureWebJobsStorage__accountName")
    ) or storage == "UseDevelopmentStorage=true":
        azurite = launch_azurite(data_dir / "azurite", avoid={port})  # node starts while PostgreSQL does
    try:
        embedded = not env.get("DATABASE_URL")
        database_url = env.get("DATABASE_URL") or embedded_database_url(data_dir, "interview_ai")
        env["DATABASE_URL"] = database_url
        migrate(database_url)
        if azurite is not None:
            azurite.wait_until_ready()
            env["AzureWebJobsStorage"] = azurite.connection_string
    except BaseException:
        if azurite is not None:
            azurite.stop()
        raise
    reset_settings_cache()
    return LocalEnvironment(database_url, embedded, azurite, data_dir, env["ADMIN_TOKEN"], generated)
