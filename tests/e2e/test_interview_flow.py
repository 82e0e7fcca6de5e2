"""Interviews driven end to end through devhost over HTTP: the real orchestrator replayed by the real
Durable library, the real twilio client talking to devhost's fake Twilio, signed webhooks, the local queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

PHONE_TZ = ZoneInfo("America/Los_Angeles")  # +1 415 numbers map to Pacific time


def devhost_now(devhost) -> datetime:
    """devhost's clock, which tests move forward: quiet-hour windows must be relative to it."""
    return datetime.fromisoformat(devhost.session.get(devhost.url + "/dev/clock", timeout=10).json()["now"])


def never_quiet(devhost) -> dict:
    """A one-minute quiet window twelve hours away, so tests do not depend on the time of day."""
    start = (devhost_now(devhost).astimezone(PHONE_TZ) + timedelta(hours=12)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=1)
    return {"quiet_hours_start": f"{start:%H:%M}", "quiet_hours_end": f"{end:%H:%M}"}


def make_interview(host, phone: str, questions=None, **settings) -> dict:
    questions = questions or [{"text": "How many years of Python?"}, {"text": "Describe a hard bug you fixed."},
                              {"text": "Why this role?"}]  # fmt: skip
    job = host.api("POST", "/api/jobs", {
        "title": "Backend Engineer", "requirements": ["Python"], "questions": questions,
        "interview_settings": {"greeting_enabled": False, "answer_timeout_minutes": 60, "reminder_count": 1,
                               "reminder_interval_minutes": 60, **never_quiet(host), **settings},
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


def detail_of(devhost, interview: dict) -> dict:
    return devhost.api("GET", f"/api/interviews/{interview['id']}")


def wait_status(devhost, interview: dict, status: str) -> dict:
    return devhost.wait_for(lambda: detail_of(devhost, interview), lambda d: d["status"] == status)


def test_struggling_pauses_then_resumes_at_the_same_question_and_completes(devhost):
    phone = "+14155550104"
    interview = make_interview(devhost, phone, questions=[{"text": "Q one?"}, {"text": "Q two?"}, {"text": "Q three?"}],
                               struggle_threshold=2, struggle_policy="reschedule", reschedule_delay_minutes=120)  # fmt: skip
    devhost.wait_for_sms(phone, lambda body: "Q one?" in body)
    devhost.reply(phone, "idk")
    devhost.wait_for_sms(phone, lambda body: "Q two?" in body)
    devhost.reply(phone, "no idea sorry")
    paused = wait_status(devhost, interview, "paused")
    assert paused["struggled"] is True and paused["resume_at"] is not None
    notice = devhost.wait_for_sms(phone, lambda body: "READY" in body)
    assert notice
    devhost.advance(121 * 60)
    devhost.wait_for_sms(phone, lambda body: "Q two?" in body, count=2)  # asked again where it stopped
    devhost.reply(phone, "I rebuilt our billing pipeline in Python")
    devhost.wait_for_sms(phone, lambda body: "Q three?" in body)
    devhost.reply(phone, "Because I like hard problems")
    done = wait_status(devhost, interview, "completed")
    assert [a["text"] for a in done["answers"]] == [
        "idk",
        "I rebuilt our billing pipeline in Python",
        "Because I like hard problems",
    ]
    assert done["reschedule_count"] == 1 and "struggled" in done["flags"]


def test_ready_resumes_a_paused_interview_early(devhost):
    phone = "+14155550105"
    interview = make_interview(devhost, phone, questions=[{"text": "Q one?"}, {"text": "Q two?"}],
                               struggle_threshold=1, struggle_policy="reschedule")  # fmt: skip
    devhost.wait_for_sms(phone, lambda body: "Q one?" in body)
    devhost.reply(phone, "dunno")
    wait_status(devhost, interview, "paused")
    devhost.reply(phone, "READY")
    devhost.wait_for_sms(phone, lambda body: "Q one?" in body, count=2)
    assert detail_of(devhost, interview)["status"] == "in_progress"


def test_failed_knockout_ends_politely_and_scores_reject(devhost):
    phone = "+14155550106"
    interview = make_interview(devhost, phone, questions=[
        {"text": "Are you authorised to work in the US?", "knockout": True, "expected_answer": "yes"},
        {"text": "Years of Python?"},
    ])  # fmt: skip
    devhost.wait_for_sms(phone, lambda body: "authorised" in body)
    devhost.reply(phone, "No")
    done = devhost.wait_for(lambda: detail_of(devhost, interview),
                            lambda d: d["status"] == "completed" and d["score"] is not None)  # fmt: skip
    assert done["knocked_out"] is True
    assert done["score"]["recommendation"] == "reject" and done["score"]["scorer"] == "rule"
    assert not [m for m in devhost.outbox(phone) if "Years of Python?" in m["body"]]


def test_recruiter_cancel_stops_the_interview_and_tells_the_candidate(devhost):
    phone = "+14155550107"
    interview = make_interview(devhost, phone)
    devhost.wait_for_sms(phone, lambda body: "1/3" in body)
    cancelled = devhost.api("POST", f"/api/interviews/{interview['id']}/cancel")
    assert cancelled["status"] == "cancelled"
    assert devhost.request("POST", f"/api/interviews/{interview['id']}/cancel").status_code == 409
    sent = len(devhost.outbox(phone))
    devhost.advance(3 * 3600)
    assert len(devhost.outbox(phone)) == sent
    assert "cancel" in devhost.outbox(phone)[-1]["body"].lower()


def test_recruiter_reschedule_pauses_until_the_new_time(devhost):
    phone = "+14155550108"
    interview = make_interview(devhost, phone, questions=[{"text": "Q one?"}, {"text": "Q two?"}])
    devhost.wait_for_sms(phone, lambda body: "Q one?" in body)
    start_at = (devhost_now(devhost) + timedelta(hours=5)).isoformat()
    response = devhost.request(
        "POST", f"/api/interviews/{interview['id']}/reschedule", {"start_at": start_at}
    )
    assert response.status_code == 202, response.text
    paused = wait_status(devhost, interview, "paused")
    assert paused["resume_at"] is not None
    devhost.advance(5 * 3600 + 60)
    devhost.wait_for_sms(phone, lambda body: "Q one?" in body, count=2)


def test_duplicate_webhook_and_double_text(devhost):
    phone = "+14155550109"
    interview = make_interview(devhost, phone, questions=[{"text": "Q one?"}, {"text": "Q two?"}])
    devhost.wait_for_sms(phone, lambda body: "Q one?" in body)
    first = devhost.reply(phone, "Five years", sid="SM" + "d" * 32)
    retry = devhost.reply(phone, "Five years", sid="SM" + "d" * 32)  # Twilio retrying the same message
    assert first.json()["webhook_status"] == retry.json()["webhook_status"] == 200
    devhost.wait_for_sms(phone, lambda body: "Q two?" in body)
    devhost.reply(phone, "Mostly Django")
    devhost.reply(phone, "and some FastAPI")
    done = wait_status(devhost, interview, "completed")
    done = devhost.wait_for(
        lambda: detail_of(devhost, interview), lambda d: len(d["answers"][1]["text"]) > 15
    )
    assert [a["text"] for a in done["answers"]] == ["Five years", "Mostly Django\nand some FastAPI"]
    assert not [m for m in devhost.outbox(phone) if "no active interview" in m["body"].lower()]
    assert len([m for m in devhost.outbox(phone) if "Q two?" in m["body"]]) == 1


def test_quiet_hours_hold_messages_until_morning(devhost):
    phone = "+14155550110"
    local_now = devhost_now(devhost).astimezone(PHONE_TZ)
    start = (local_now - timedelta(minutes=30)).replace(second=0, microsecond=0)
    end = (local_now + timedelta(hours=2)).replace(second=0, microsecond=0)
    questions = [{"text": "Quiet Q?"}]
    job = devhost.api("POST", "/api/jobs", {
        "title": "Night owl", "questions": questions,
        "interview_settings": {"greeting_enabled": False, "quiet_hours_start": f"{start:%H:%M}",
                               "quiet_hours_end": f"{end:%H:%M}"},
    })  # fmt: skip
    candidate = devhost.api("POST", "/api/candidates", {"name": "Nia", "phone": phone, "sms_consent": True})
    devhost.api("POST", "/api/interviews", {"candidate_id": candidate["id"], "job_id": job["id"]})
    devhost.settle()
    assert devhost.outbox(phone) == []
    devhost.advance(2 * 3600 + 60)
    devhost.wait_for_sms(phone, lambda body: "Quiet Q?" in body)


def test_forged_signature_is_403_and_stores_nothing(devhost):
    response = devhost.session.post(
        devhost.url + "/api/sms/inbound",
        data={"MessageSid": "SM" + "f" * 32, "From": "+14155550111", "Body": "hi"},
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        timeout=10,
    )
    assert response.status_code == 403
    unsigned = devhost.session.post(devhost.url + "/api/sms/inbound", data={"Body": "hi"}, timeout=10)
    assert unsigned.status_code == 403


def test_greeting_comes_first_with_stop_instructions(devhost):
    phone = "+14155550112"
    interview = make_interview(devhost, phone, greeting_enabled=True)
    devhost.wait_for_sms(phone, lambda body: "1/3" in body)
    bodies = [m["body"] for m in devhost.outbox(phone)]
    assert "STOP" in bodies[0] and "1/3" in bodies[1]
    assert detail_of(devhost, interview)["status"] == "in_progress"


def test_a_future_start_waits_for_its_time(devhost):
    phone = "+14155550113"
    job = devhost.api("POST", "/api/jobs", {
        "title": "Later", "questions": [{"text": "Later Q?"}],
        "interview_settings": {"greeting_enabled": False, **never_quiet(devhost)},
    })  # fmt: skip
    candidate = devhost.api("POST", "/api/candidates", {"name": "Lou", "phone": phone, "sms_consent": True})
    start_at = (devhost_now(devhost) + timedelta(hours=2)).isoformat()
    interview = devhost.api("POST", "/api/interviews",
                            {"candidate_id": candidate["id"], "job_id": job["id"], "start_at": start_at})  # fmt: skip
    assert interview["status"] == "scheduled"
    devhost.settle()
    assert devhost.outbox(phone) == []
    devhost.advance(2 * 3600 + 30)
    devhost.wait_for_sms(phone, lambda body: "Later Q?" in body)
