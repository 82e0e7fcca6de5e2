"""Hostile-input and access tests: a devhost of their own (fuzzing leaves junk that other suites should not
see), Twilio signing with a known auth token, and the fuzz size.

HOSTILE_FUZZ_EXAMPLES sets the generated cases per API operation and per webhook property (25 by default,
sized for `make test`; bench/fuzz_api.py runs 500).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from devhost.azurite import free_port
from shared.adapters.factory import reset_adapters
from shared.settings import reset_settings_cache
from tests.conftest import traversable_temp_dir
from tests.e2e.conftest import DevhostClient, start_devhost, stop_devhost
from tests.hostile.webhook_support import (
    ACTIVE_PHONE,
    PUBLIC_BASE_URL,
    TWILIO_AUTH_TOKEN,
    truncate_sms_tables,
)
from tests.support.factories import insert_interview, make_candidate, make_job

FUZZ_EXAMPLES = int(os.environ.get("HOSTILE_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="session")
def hostile_devhost() -> Iterator[DevhostClient]:
    """devhost with a Twilio auth token the tests know, so they can sign webhook requests themselves."""
    client = start_devhost(
        traversable_temp_dir("hostile"), free_port(), extra_env={"TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN}
    )
    yield client
    stop_devhost(client)


@pytest.fixture(scope="module")
def webhook_env(database_url: str) -> Iterator[str]:
    """Signatures checked over PUBLIC_BASE_URL with a known token; no Twilio account, so no SMS leaves."""
    names = ("PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_API_BASE_URL")
    previous = {name: os.environ.get(name) for name in names}
    os.environ.update(PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=TWILIO_AUTH_TOKEN)
    os.environ.pop("TWILIO_ACCOUNT_SID", None)  # replies fail fast instead of reaching any Twilio
    os.environ["TWILIO_API_BASE_URL"] = "http://127.0.0.1:9"  # and if one were configured, nothing listens
    reset_settings_cache()
    reset_adapters()
    yield database_url
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    reset_settings_cache()
    reset_adapters()


@pytest.fixture(scope="module")
def active_interview(webhook_env: str) -> str:
    """An interview awaiting its first answer from ACTIVE_PHONE (many answers join it as late texts)."""
    truncate_sms_tables(webhook_env)
    job = make_job([{"text": "Years of Python?"}, {"text": "Why us?"}])
    candidate = make_candidate(phone=ACTIVE_PHONE, job_id=job.id)
    return insert_interview(webhook_env, candidate, job, current_question=1, attempt=1, awaiting_answer=True)
