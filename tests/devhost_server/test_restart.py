"""Stopping devhost mid-interview (SIGTERM, or SIGKILL) and starting it again on the same data directory and
port loses nothing: the interview completes, every question is sent exactly once, the answers are those
sent. The embedded PostgreSQL and Azurite a killed devhost leaves running are taken over (or restarted, if
they died too), and stop with the last devhost."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psutil
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


def _interrupt(host: DevhostClient, how: str, data_dir: Path) -> None:
    stop_devhost(host, kill=how != "sigterm")
    if how == "sigterm":
        assert host.process.returncode == 0
        wait_until(lambda: not processes_using(data_dir))  # the last user stopped PostgreSQL and Azurite
        return
    assert host.process.returncode == -signal.SIGKILL
    assert processes_using(data_dir), "a killed devhost leaves its PostgreSQL and Azurite running"
    if how == "sigkill-everything":  # a crash that takes PostgreSQL and Azurite down too
        named = [
            p for p in psutil.process_iter(["cmdline"]) if str(data_dir) in " ".join(p.info["cmdline"] or [])
        ]
        killed = named + [child for process in named for child in process.children(recursive=True)]
        for process in killed:
            process.kill()
        _, alive = psutil.wait_procs(killed, timeout=20)  # until their pids are gone, not just their names
        assert alive == []


@pytest.mark.parametrize(
    "interruptions", [["sigterm"], ["sigkill", "sigkill-everything"]], ids=["sigterm", "sigkill"]
)
def test_an_interview_survives_devhost_restarts(tmp_path: Path, interruptions: list[str]) -> None:
    port = free_port()
    phone = "+14155550301" if len(interruptions) == 1 else "+14155550302"
    host = start_devhost(tmp_path, port)
    try:
        interview = make_interview(host, phone)
        for position in (1, 2, 3):
            _answer(host, phone, position)
            if position <= len(interruptions):
                host.wait_for_sms(phone, lambda body, p=position: f"{p + 1}/3" in body)
                host.settle()
                _interrupt(host, interruptions[position - 1], tmp_path)
                host = start_devhost(tmp_path, port)
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
