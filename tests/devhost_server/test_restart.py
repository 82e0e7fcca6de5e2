"""Stopping devhost mid-interview (SIGTERM, or SIGKILL) and starting it again on the same data directory and
port loses nothing: the interview completes, every question is sent exactly once, the answers are those
sent. The embedded PostgreSQL and Azurite a killed devhost leaves running are taken over, and stop with the
last devhost."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from devhost.azurite import free_port
from tests.devhost_server.conftest import processes_using, wait_until
from tests.e2e.conftest import DevhostClient, start_devhost, stop_devhost
from tests.e2e.test_interview_flow import make_interview

pytestmark = pytest.mark.e2e

ANSWERS = ["Six years, mostly Django", "A deadlock in a payment queue", "I like small teams"]


def _answer(host: DevhostClient, phone: str, position: int) -> None:
    host.wait_for_sms(phone, lambda body: f"{position}/3" in body)
    host.settle()  # the question's activity has recorded its send
    host.reply(phone, ANSWERS[position - 1])


def _questions_sent(host: DevhostClient, phone: str) -> dict[int, int]:
    bodies = [m["body"] for m in host.outbox(phone)]
    return {position: sum(f"{position}/3" in body for body in bodies) for position in (1, 2, 3)}


@pytest.mark.parametrize("kill", [False, True], ids=["sigterm", "sigkill"])
def test_an_interview_survives_a_devhost_restart(tmp_path: Path, kill: bool) -> None:
    port = free_port()
    phone = "+14155550301" if kill else "+14155550302"
    host = start_devhost(tmp_path, port)
    try:
        interview = make_interview(host, phone)
        _answer(host, phone, 1)
        host.wait_for_sms(phone, lambda body: "2/3" in body)
        host.settle()
    finally:
        stop_devhost(host, kill=kill)
    assert host.process.returncode == (-signal.SIGKILL if kill else 0)
    if kill:
        assert processes_using(tmp_path), "a killed devhost leaves its PostgreSQL and Azurite running"
    else:
        wait_until(lambda: not processes_using(tmp_path))  # the last user stopped them

    host = start_devhost(tmp_path, port)
    try:
        _answer(host, phone, 2)
        _answer(host, phone, 3)
        detail = host.wait_for(
            lambda: host.api("GET", f"/api/interviews/{interview['id']}"),
            lambda d: d["status"] == "completed" and d["score"] is not None,
        )
        assert [answer["text"] for answer in detail["answers"]] == ANSWERS
        assert _questions_sent(host, phone) == {1: 1, 2: 1, 3: 1}
    finally:
        stop_devhost(host)
    assert host.process.returncode == 0
    deadline = time.monotonic() + 10
    while (left := processes_using(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == [], "PostgreSQL or Azurite outlived the last devhost"
