"""The load bench at a size the suite can afford: many interviews at once through devhost, candidates
answering with signed webhooks at random delays, double texts and Twilio retries. Correctness only (every
interview completed and scored with exactly the answers sent, each question texted once), not timing."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from bench.load import LoadConfig, run_load
from devhost.azurite import free_port
from tests.conftest import traversable_temp_dir
from tests.e2e.conftest import DevhostClient, start_devhost, stop_devhost

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def load_host() -> Iterator[DevhostClient]:
    client = start_devhost(
        traversable_temp_dir("load-test"), free_port(), {"DEVHOST_CONTROLLABLE_CLOCK": "0"}
    )
    yield client
    stop_devhost(client)


def test_thirty_interviews_at_once_finish_with_exactly_the_answers_sent(load_host):
    config = LoadConfig(interviews=30, questions=3, concurrency=16, think_seconds=0.2, double_text=0.3,
                        retries=0.3, exchange="556", timeout=240, settle_timeout=90)  # fmt: skip
    result = asyncio.run(run_load(load_host.url, load_host.token, config))
    assert result.problems == []
    assert result.answers == 90
    assert (
        result.deliberate_retries > 0 and result.texts_sent > result.answers
    )  # retries and double texts ran
    assert len(result.latencies_ms) == 60 and len(result.thanks_latencies_ms) == 30


def test_outbox_cursor_returns_new_messages_in_order_and_long_polls(load_host):
    outbox = load_host.url + "/dev/sms/outbox"
    start = requests.get(outbox, params={"since": "0", "limit": "5000"}, timeout=10).json()
    cursor = start["next"]
    while True:  # skip to the end of whatever earlier tests stored
        page = requests.get(outbox, params={"since": str(cursor), "limit": "5000"}, timeout=10).json()
        if not page["messages"]:
            break
        cursor = page["next"]
    began = time.monotonic()
    empty = requests.get(outbox, params={"since": str(cursor), "wait": "0.4"}, timeout=10).json()
    assert empty == {"messages": [], "next": cursor} and time.monotonic() - began >= 0.35

    found: dict = {}

    def long_poll() -> None:
        found.update(requests.get(outbox, params={"since": str(cursor), "wait": "20"}, timeout=30).json())

    reader = threading.Thread(target=long_poll)
    reader.start()
    time.sleep(0.3)
    sent_at = time.monotonic()
    load_host.reply("+14155570001", "hello, is anyone there?")  # no interview: the app answers it
    reader.join(timeout=25)
    assert found and time.monotonic() - sent_at < 5  # woken by the new message, not the 20 s wait
    replies = [m for m in found["messages"] if m["to"] == "+14155570001"]
    assert replies and all(m["seq"] > cursor for m in found["messages"]) and found["next"] > cursor
    with_replies = requests.get(outbox, params={"since": str(cursor), "include_replies": "true"}, timeout=10)
    directions = [
        m["direction"] for m in with_replies.json()["messages"] if "+14155570001" in (m["to"], m["from"])
    ]
    assert directions[0] == "in" and "out" in directions
    assert requests.get(outbox, params={"since": "x"}, timeout=10).status_code == 400
