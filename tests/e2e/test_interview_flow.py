"""Interviews driven end to end through devhost over HTTP: the real orchestrator replayed by the real
Durable library, the real twilio client talking to devhost's fake Twilio, signed webhooks, the local queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

PHONE_TZ = ZoneInfo("America/Los_Angeles")  # +1 415 numbers map to Pacific time


def never_quiet() -> dict:
    """A one-minute quiet window twelve hours away, so tests do not depend on the wall clock."""
    start = (datetime.now(PHONE_TZ) + timedelta(hours=12)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=1)
    return {"quiet_hours_start": f"{start:%H:%M}", "quiet_hours_end": f"{end:%H:%M}"}


def make_interview(host, phone: str, questions=None, **settings) -> dict:
    questions = questions or [{"text": "How many years of Python?"}, {"text": "Describe a hard bug you fixed."},
                              {"text": "Why this role?"}]  # fmt: skip
    job = host.api("POST", "/api/jobs", {
        "title": "Backend Engineer", "requirements": ["Python"], "questions": questions,
        "interview_settings": {"greeting_enabled": False, "answer_timeout_minutes": 60, "reminder_count": 1,
                               "reminder_interval_minutes": 60, **never_quiet(), **settings},
    })  # fmt: skip
    candidate = host.api("POST", "/api/candidates", {"name": "Casey", "phone": phone, "sms_consent": True})
    interview = host.api("POST", "/api/interviews", {"candidate_id": candidate["id"], "job_id": job["id"]})
    return interview


def test_all_questions_answered_completes_and_scores(devhost):
    phone = "+14155550101"
    interview = make_interview(devhost, phone)
    for position, answer in enumerate(
        ["Six years, Django and FastAPI", "A race in a payment queue", "I love APIs"], 1
    ):
        devhost.wait_for_sms(phone, lambda body, p=position: body.startswith(f"Q{p}/3") or f"{p}/3" in body)
        devhost.reply(phone, answer)
    detail = devhost.wait_for(lambda: devhost.api("GET", f"/api/interviews/{interview['id']}"),
                              lambda d: d["status"] == "completed" and d["score"] is not None)  # fmt: skip
    assert [a["text"] for a in detail["answers"]] == [
        "Six years, Django and FastAPI",
        "A race in a payment queue",
        "I love APIs",
    ]
    assert detail["score"]["scorer"] == "local"
    assert 0 <= detail["score"]["job_fit_score"] <= 100
    texts = [m["body"] for m in devhost.outbox(phone)]
    assert len([t for t in texts if "/3" in t]) == 3  # each question exactly once
    messages = devhost.api("GET", f"/api/interviews/{interview['id']}/messages")["items"]
    assert [m["direction"] for m in messages].count("in") == 3


def test_timeout_reminder_then_answer_then_expiry(devhost):
    phone = "+14155550102"
    interview = make_interview(devhost, phone, questions=[{"text": "Q one?"}, {"text": "Q two?"}])
    devhost.wait_for_sms(phone, lambda body: "Q one?" in body)
    devhost.advance(61 * 60)
    devhost.wait_for_sms(phone, lambda body: "Q one?" in body, count=2)  # the reminder repeats the question
    devhost.reply(phone, "Five years")
    devhost.wait_for_sms(phone, lambda body: "Q two?" in body)
    devhost.advance(61 * 60)
    devhost.wait_for_sms(phone, lambda body: "Q two?" in body, count=2)
    devhost.advance(61 * 60)
    detail = devhost.wait_for(lambda: devhost.api("GET", f"/api/interviews/{interview['id']}"),
                              lambda d: d["status"] == "expired")  # fmt: skip
    assert detail["reminders_sent"] == 2
    assert detail["score"] is None


def test_stop_mid_interview_sends_nothing_more(devhost):
    phone = "+14155550103"
    interview = make_interview(devhost, phone)
    devhost.wait_for_sms(phone, lambda body: "1/3" in body)
    devhost.reply(phone, "STOP")
    detail = devhost.wait_for(lambda: devhost.api("GET", f"/api/interviews/{interview['id']}"),
                              lambda d: d["status"] == "opted_out")  # fmt: skip
    sent_before = len(devhost.outbox(phone))
    devhost.advance(3 * 3600)
    devhost.settle()
    assert len(devhost.outbox(phone)) == sent_before
    assert detail["end_reason"]
