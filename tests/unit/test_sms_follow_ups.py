"""Follow-ups of inbound SMS run after the response; when they fall too far behind, the webhook does them."""

from __future__ import annotations

import threading
import time

import pytest

from shared.services import sms_inbound
from shared.services.sms_inbound import FollowUps, InboundResult


def result(sid: str) -> InboundResult:
    return InboundResult(sid=sid, phone="+14155550100", body="hi", handled_as="no_interview")


def test_follow_ups_are_queued_until_the_oldest_has_waited_too_long(monkeypatch: pytest.MonkeyPatch):
    release, done = threading.Event(), []
    monkeypatch.setattr(sms_inbound, "follow_up", lambda r: (release.wait(10), done.append(r.sid)))
    follow_ups = FollowUps(threads=1, max_lag_seconds=0.05)
    assert follow_ups.submit(result("SM1"))  # starts at once and blocks the only thread
    time.sleep(0.02)  # (it has started: SM2 below is the oldest waiting)
    assert follow_ups.submit(result("SM2"))  # waits behind it
    time.sleep(0.1)
    assert not follow_ups.submit(result("SM3"))  # SM2 has waited longer than allowed: the caller does it
    assert follow_ups.pending() == 2 and not follow_ups.wait(0.01)
    release.set()
    assert follow_ups.wait(10)
    assert done == ["SM1", "SM2"] and follow_ups.pending() == 0
    assert follow_ups.submit(result("SM4")) and follow_ups.wait(10)


def test_a_full_backlog_also_pushes_back(monkeypatch: pytest.MonkeyPatch):
    started, release = threading.Event(), threading.Event()
    monkeypatch.setattr(sms_inbound, "follow_up", lambda r: (started.set(), release.wait(10)))
    follow_ups = FollowUps(threads=1, backlog=2, max_lag_seconds=60)
    assert follow_ups.submit(result("SM0")) and started.wait(10)  # running
    assert follow_ups.submit(result("SM1")) and follow_ups.submit(result("SM2"))  # waiting
    assert not follow_ups.submit(result("SM9"))
    release.set()
    assert follow_ups.wait(10)
