"""Azurite (Table and Blob Storage) down in the middle of an interview: the answers are still recorded in
PostgreSQL, the interview goes on, completes and is scored. The conversation log is best effort: what was
handled while storage was down is missing from it until the repair replays PostgreSQL into it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devhost.azurite import Azurite, free_port, start_azurite
from shared.adapters.sms import TwilioSmsSender
from tests.conftest import traversable_temp_dir
from tests.e2e.conftest import DevhostClient, start_devhost, stop_devhost
from tests.e2e.test_interview_flow import make_interview
from tests.faults.conftest import RestartablePostgres, detail

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def storage() -> Iterator[list[Azurite]]:
    """An Azurite this test owns (devhost uses it through AzureWebJobsStorage), so it can stop and restart it."""
    emulators = [start_azurite(traversable_temp_dir("faults-azurite"))]
    yield emulators
    emulators[-1].stop()


@pytest.fixture(scope="module")
def host(storage: list[Azurite], postgres: RestartablePostgres) -> Iterator[DevhostClient]:
    client = start_devhost(traversable_temp_dir("faults-storage"), free_port(),
                           {"AzureWebJobsStorage": storage[0].connection_string,
                            "DATABASE_URL": postgres.url("devhost_storage")})  # fmt: skip
    yield client
    stop_devhost(client)


def repair_log(host: DevhostClient, storage: Azurite, database_url: str, since: datetime) -> None:
    """Run the repair as an operator would, against the same database, storage and (fake) Twilio."""
    from shared import db
    from shared.adapters.factory import reset_adapters
    from shared.services.conversation_repair import repair_conversation_log
    from shared.settings import reset_settings_cache

    data_dir = Path(host.log_path).parent
    sender = TwilioSmsSender((data_dir / "twilio-account-sid").read_text().strip(),
                             (data_dir / "twilio-auth-token").read_text().strip(), messaging_service_sid=None,
                             from_number="+15005550006", status_callback_url=None, api_base_url=host.url)  # fmt: skip
    previous = {k: os.environ.get(k) for k in ("DATABASE_URL", "AzureWebJobsStorage")}
    os.environ.update(DATABASE_URL=database_url, AzureWebJobsStorage=storage.connection_string)
    reset_settings_cache()
    reset_adapters()
    db.close_pool()
    try:
        report = repair_conversation_log(since, sender=sender)
        assert report.outbound_unknown_to_twilio == []
    finally:
        db.close_pool()
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_settings_cache()
        reset_adapters()


def test_storage_down_loses_no_answer_and_the_repair_completes_the_conversation_log(host, storage, postgres):
    phone = "+14155580101"
    began = datetime.now(UTC) - timedelta(seconds=5)
    interview = make_interview(
        host, phone, questions=[{"text": "Q one?"}, {"text": "Q two?"}, {"text": "Q three?"}]
    )
    host.wait_for_sms(phone, lambda body: "Q one?" in body)
    host.reply(phone, "Five years")
    host.wait_for_sms(phone, lambda body: "Q two?" in body)
    host.settle()
    logged_before = len(host.api("GET", f"/api/interviews/{interview['id']}/messages")["items"])
    storage[0].stop()

    started = time.monotonic()
    answered = host.reply(phone, "Mostly Django")
    assert answered.json()["webhook_status"] == 200
    webhook_seconds = time.monotonic() - started
    host.wait_for_sms(phone, lambda body: "Q three?" in body, timeout=60)
    host.reply(phone, "I like hard problems")
    done = host.wait_for(lambda: detail(host, interview), lambda d: d["score"] is not None, timeout=60)
    assert done["status"] == "completed"
    assert [a["text"] for a in done["answers"]] == ["Five years", "Mostly Django", "I like hard problems"]
    bodies = [m["body"] for m in host.outbox(phone)]
    assert [sum(q in b for b in bodies) for q in ("Q one?", "Q two?", "Q three?")] == [1, 1, 1]
    assert webhook_seconds < 10, f"the webhook took {webhook_seconds:.1f} s with storage down"
    host.settle()
    assert host.request("GET", f"/api/interviews/{interview['id']}/messages").status_code == 503

    old = storage[0]
    storage.append(start_azurite(old.location, blob_port=old.blob_port, table_port=old.table_port))
    missing = host.api("GET", f"/api/interviews/{interview['id']}/messages")["items"]
    assert len(missing) == logged_before  # nothing handled during the outage reached the log
    repair_log(host, storage[-1], postgres.url("devhost_storage"), began)
    repaired = host.api("GET", f"/api/interviews/{interview['id']}/messages")["items"]
    texts = [(m["direction"], m["body"]) for m in repaired]
    assert [t for t in texts if t[0] == "in"] == [("in", "Five years"), ("in", "Mostly Django"),
                                                  ("in", "I like hard problems")]  # fmt: skip
    assert sum("Q three?" in body for direction, body in texts if direction == "out") == 1
    assert any(body.startswith("That's all our questions") for _, body in texts)
    assert len({m["sid"] for m in repaired}) == len(repaired)
