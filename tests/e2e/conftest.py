"""A devhost process for end-to-end tests: started once per session, spoken to only over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from devhost.azurite import free_port
from tests.conftest import traversable_temp_dir

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef"


class DevhostClient:
    def __init__(self, url: str, token: str, process: subprocess.Popen, log_path: Path) -> None:
        self.url, self.token, self.process, self.log_path = url, token, process, log_path
        self.session = requests.Session()

    # --- recruiter API -------------------------------------------------------------------------------
    def request(self, method: str, path: str, json: Any = None, token: str | None = None, **kwargs: Any):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return self.session.request(method, self.url + path, json=json, headers=headers, timeout=30, **kwargs)

    def api(self, method: str, path: str, json: Any = None) -> Any:
        response = self.request(method, path, json)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.content else None

    # --- the candidate's phone --------------------------------------------------------------------------
    def outbox(self, phone: str) -> list[dict]:
        response = self.session.get(self.url + "/dev/sms/outbox", params={"to": phone}, timeout=30)
        response.raise_for_status()
        return response.json()["messages"] if isinstance(response.json(), dict) else response.json()

    def reply(self, phone: str, body: str, sid: str | None = None) -> requests.Response:
        payload = {"from": phone, "body": body, **({"sid": sid} if sid else {})}
        response = self.session.post(self.url + "/dev/sms/inbound", json=payload, timeout=30)
        assert response.status_code < 300, response.text[:500]
        return response

    def wait_for_sms(
        self, phone: str, match: Callable[[str], bool], count: int = 1, timeout: float = 30
    ) -> list:
        return self.wait_for(
            lambda: [m for m in self.outbox(phone) if match(m["body"])],
            lambda found: len(found) >= count,
            timeout,
        )

    # --- time -----------------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        # Settle first: an activity still finishing (an SMS is in the outbox before the activity that sent it
        # has returned) would otherwise see the moved clock and start its timers from there.
        self.settle()
        response = self.session.post(self.url + "/dev/clock/advance", json={"seconds": seconds}, timeout=30)
        assert response.status_code == 200, response.text[:500]
        self.settle()

    def settle(self, timeout: float = 30) -> None:
        """Wait until devhost has no runnable work (orchestrations, activities, queue deliveries)."""
        response = self.session.post(self.url + "/dev/idle", params={"timeout": timeout}, timeout=timeout + 5)
        assert response.status_code == 200, response.text[:500]

    @staticmethod
    def wait_for(fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        value = fetch()
        while not done(value):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting; last value: {str(value)[:1500]}")
            time.sleep(0.05)
            value = fetch()
        return value


def start_devhost(data_dir: Path, port: int, extra_env: dict[str, str] | None = None) -> DevhostClient:
    env = {
        **os.environ,
        "LOCAL_DATA_DIR": str(data_dir),
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "PORT": str(port),
        "DEVHOST_CONTROLLABLE_CLOCK": "1",
        "DEVHOST_LOCAL_SETTINGS": "",  # the developer's local.settings.json is not the tests' business
        # Test and benchmark candidates answer within milliseconds of a question, faster than any phone: with
        # the split-answer window on, their answers would join the previous ones (tests/integration covers it).
        "SMS_SPLIT_ANSWER_SECONDS": "0",
        **(extra_env or {}),
    }
    for name in ("DATABASE_URL", "AzureWebJobsStorage", "PUBLIC_BASE_URL", "TWILIO_API_BASE_URL"):
        if name not in (extra_env or {}):
            env.pop(name, None)
    log_path = data_dir / "devhost.log"
    log_file = open(log_path, "ab")  # noqa: SIM115 - kept open for the process's lifetime
    process = subprocess.Popen(
        [sys.executable, "-m", "devhost"], cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    client = DevhostClient(url, ADMIN_TOKEN, process, log_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"devhost exited with {process.returncode}:\n{_logs(data_dir)}")
        try:
            if requests.get(url + "/api/health", timeout=2).status_code == 200:
                return client
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"devhost did not become healthy:\n{_logs(data_dir)}")


def _logs(data_dir: Path) -> str:
    """The end of devhost's log, and of the embedded PostgreSQL's when it has one (why it did not start)."""
    text = (data_dir / "devhost.log").read_text(errors="replace")[-6000:]
    postgres_log = data_dir / "postgres" / "log"
    if postgres_log.exists():
        text += "\n--- postgres/log ---\n" + postgres_log.read_text(errors="replace")[-3000:]
    return text


def stop_devhost(client: DevhostClient, kill: bool = False) -> None:
    if client.process.poll() is None:
        if kill:
            client.process.kill()
        else:
            client.process.terminate()
        try:
            client.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            client.process.kill()
            client.process.wait()


@pytest.fixture(scope="session")
def devhost(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevhostClient]:
    client = start_devhost(traversable_temp_dir("devhost"), free_port())
    yield client
    stop_devhost(client)
