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

from devhost.azurite import Azurite, start_azurite
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
    """Copy local.settings.json `Values` into `environ` where not already set; return the names copied."""
    if not path.exists():
        return []
    try:
        values = json.loads(path.read_text(encoding="utf-8")).get("Values", {})
    except (ValueError, OSError) as exc:
        raise SystemExit(f"devhost: cannot read {path}: {exc}") from None
    copied = []
    for name, value in values.items():
        if name not in environ and value not in (None, ""):
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
    load_local_settings(ROOT / "local.settings.json", env)
    data_dir = Path(env.get("LOCAL_DATA_DIR") or ".local").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env["LOCAL_DATA_DIR"] = str(data_dir)

    base = f"http://127.0.0.1:{port}"
    env.setdefault("PUBLIC_BASE_URL", base)
    env.setdefault("TWILIO_API_BASE_URL", base)
    env.setdefault(
        "TWILIO_ACCOUNT_SID", _persistent_secret(data_dir, "twilio-account-sid", "AC" + secrets.token_hex(16))
    )
    env.setdefault(
        "TWILIO_AUTH_TOKEN", _persistent_secret(data_dir, "twilio-auth-token", secrets.token_hex(16))
    )
    if not env.get("TWILIO_MESSAGING_SERVICE_SID"):
        env.setdefault("TWILIO_FROM_NUMBER", "+15005550006")

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
    embedded = not env.get("DATABASE_URL")
    database_url = env.get("DATABASE_URL") or embedded_database_url(data_dir, "interview_ai")
    env["DATABASE_URL"] = database_url
    migrate(database_url)

    azurite = None
    if not env.get("AzureWebJobsStorage") and not env.get("AzureWebJobsStorage__accountName"):
        azurite = start_azurite(data_dir / "azurite")
        env["AzureWebJobsStorage"] = azurite.connection_string
    elif env.get("AzureWebJobsStorage") == "UseDevelopmentStorage=true":
        azurite = start_azurite(data_dir / "azurite")
        env["AzureWebJobsStorage"] = azurite.connection_string
    reset_settings_cache()
    return LocalEnvironment(database_url, embedded, azurite, data_dir, env["ADMIN_TOKEN"], generated)
