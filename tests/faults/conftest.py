"""Helpers for fault tests: a PostgreSQL server the test can stop and start, signed webhooks without the
fake phone (which needs the database itself), and devhost's child processes."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import traversable_temp_dir
from tests.e2e.conftest import DevhostClient


class RestartablePostgres:
    """An embedded PostgreSQL (pgserver) of this test's own, stopped and started with its pg_ctl."""

    def __init__(self, data_dir: Path) -> None:
        import pgserver

        self.server = pgserver.get_server(data_dir)

    def url(self, database: str) -> str:
        from shared.db.embedded import ensure_database

        ensure_database(self.server.get_uri(), database)
        return self.server.get_uri(database)

    def stop(self) -> None:
        import pgserver

        pgserver.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()


@pytest.fixture(scope="module")
def postgres() -> Iterator[RestartablePostgres]:
    server = RestartablePostgres(traversable_temp_dir("faults-pg") / "postgres")
    yield server
    server.start()  # running again, so pgserver's own cleanup stops it at exit


def signed_inbound(host: DevhostClient, phone: str, body: str, sid: str | None = None) -> requests.Response:
    """POST a text to the app's webhook as Twilio does (signed form), straight, not through the fake phone."""
    from twilio.request_validator import RequestValidator

    data_dir = Path(host.log_path).parent
    token = (data_dir / "twilio-auth-token").read_text().strip()
    account = (data_dir / "twilio-account-sid").read_text().strip()
    sid = sid or "SM" + secrets.token_hex(16)
    params = {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": account, "From": phone,
              "To": "+15005550006", "Body": body, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
              "ApiVersion": "2010-04-01"}  # fmt: skip
    url = host.url + "/api/sms/inbound"
    signature = RequestValidator(token).compute_signature(url, params)
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)


def child_pids(pid: int) -> list[int]:
    """Direct children of `pid` (devhost's Azurite), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def detail(host: DevhostClient, interview: dict[str, Any]) -> dict[str, Any]:
    return host.api("GET", f"/api/interviews/{interview['id']}")
