"""The steps of an SMS interview, run as Durable activities (at least once each, so each is idempotent).

Every step checks that the interview is still active before it does anything (a recruiter may have
cancelled it, or the candidate texted STOP, while the orchestration slept), and every SMS is keyed so a step
that runs again after a crash does not text the candidate twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.adapters import factory
from shared.adapters.sms import OPTED_OUT_CODE, SentSms, SmsSendError
from shared.data import interviews as store
from shared.data import jobs as job_store
from shared.db import transaction
from shared.interview import messages
from shared.interview.policy import answer_verdict
from shared.observability import interview_log
from shared.services.scoring_requests import request_scoring
from shared.settings import get_settings

log = logging.getLogger("interview")

STOPPED = {"status": "stopped"}


def _active(interview: dict | None) -> bool:
    return interview is not None and interview["status"] in store.ACTIVE_STATUSES


def load_plan(interview_id: str) -> dict[str, Any] | None:
    """What the orchestrator needs to drive the interview: settings and question rules, no personal data."""
    with transaction() as cur:
        interview = store.get(cur, interview_id)
        if interview is None:
            return None
        job = job_store.get(cur, interview["job_id"])
        questions = job_store.questions_of(cur, interview["job_id"])
        answered = {a["question_position"] for a in store.answers_of(cur, interview_id)}
    settings = {column: job[column] for column in job_store.SETTINGS_COLUMNS}
    settings["quiet_hours_start"] = job["quiet_hours_start"].strftime("%H:%M")
    settings["quiet_hours_end"] = job["quiet_hours_end"].strftime("%H:%M")
    next_position = next(
        (q["position"] for q in questions if q["position"] not in answered), len(questions) + 1
    )
    return {
        "interview_id": str(interview["id"]),
        "status": interview["status"],
        "timezone": interview["timezone"] or job["timezone"],
        "question_count": len(questions),
        "settings": settings,
        "scheduled_at": interview["scheduled_at"].isoformat(),
        "control_seq": interview["control_seq"],
        "greeted": interview["greeted"],
        "next_position": next_position,
    }


def greet(interview_id: str) -> dict[str, Any]:
    with transaction() as cur:
        interview = store.get(cur, interview_id, for_update=True)
        if not _active(interview):
            return STOPPED
        job = job_store.get(cur, interview["job_id"])
        count = interview["question_count"]
        store.update(cur, interview_id, greeted=True, status="in_progress",
                     started_at=interview["started_at"] or datetime.now(ZoneInfo("UTC")))  # fmt: skip
    body = messages.greeting(get_settings().company_name, job["title"], count)
    return {"status": _send(interview, "greeting", f"{interview_id}:greeting", body)}


def ask(interview_id: str, position: int, attempt: int) -> dict[str, Any]:
    """Make `position` the current question for this attempt, then text it."""
    with transaction() as cur:
        interview = store.get(cur, interview_id, for_update=True)
        if not _active(interview):
            return STOPPED
        answered = store.answer_for_attempt(cur, interview_id, position, attempt)
        question = next(
            q for q in job_store.questions_of(cur, interview["job_id"]) if q["position"] == position
        )
        store.update(
            cur, interview_id, status="in_progress", current_question=position, attempt=attempt,
            awaiting_answer=answered is None, resume_at=None,
            started_at=interview["started_at"] or datetime.now(ZoneInfo("UTC")),
        )  # fmt: skip
    if answered is not None:  # this step ran before and the candidate already replied
        return {"status": "asked", "attempt": attempt}
    body = messages.question(position, interview["question_count"], question["text"])
    outcome = _send(interview, "question", f"{interview_id}:question:{position}:{attempt}", body, position)
    return {"status": "asked" if outcome in ("sent", "skipped") else "stopped", "attempt": attempt}


def remind(interview_id: str, position: int, attempt: int, number: int) -> dict[str, Any]:
    """Remind the candidate of the pending question, unless its answer already arrived."""
    with transaction() as cur:
        interview = store.get(cur, interview_id, for_update=True)
        if not _active(interview):
            return STOPPED
        question = next(
            q for q in job_store.questions_of(cur, interview["job_id"]) if q["position"] == position
        )
        answered = store.answer_for_attempt(cur, interview_id, position, attempt)
        if answered is not None:
            return {
                "status": "answered",
                "answer": answer_verdict(question, answered["text"], answered["struggling"]),
            }
        key = f"{interview_id}:reminder:{position}:{attempt}:{number}"
        if store.sent_message(cur, key) is None:
            store.update(cur, interview_id, reminders_sent=interview["reminders_sent"] + 1)
    job = _job_settings(interview)
    body = messages.reminder(position, interview["question_count"], question["text"],
                             remaining_reminders=job["reminder_count"] - number)  # fmt: skip
    outcome = _send(interview, "reminder", key, body, position)
    return {"status": "sent" if outcome in ("sent", "skipped") else "stopped"}


def _job_settings(interview: dict) -> dict:
    with transaction() as cur:
        return job_store.get(cur, interview["job_id"])


def pause(interview_id: str, resume_at: str, reason: str) -> dict[str, Any]:
    """Pause until `resume_at` (struggling candidate, or the recruiter moved the interview) and say so."""
    resume = datetime.fromisoformat(resume_at)
    key = f"{interview_id}:pause:{resume.isoformat()}"
    with transaction() as cur:
        interview = store.get(cur, interview_id, for_update=True)
        if not _active(interview):
            return STOPPED
        if store.sent_message(cur, key) is None:
            changes: dict[str, Any] = {"status": "paused", "resume_at": resume, "awaiting_answer": False,
                                       "reschedule_count": interview["reschedule_count"] + 1}  # fmt: skip
            if reason == "struggling":
                changes["struggled"] = True
                changes["struggle_count"] = 0
            store.update(cur, interview_id, **changes)
    when = messages.local_time_text(resume, interview["timezone"] or get_settings().default_timezone)
    body = messages.struggle_reschedule(when) if reason == "struggling" else messages.rescheduled(when)
    outcome = _send(interview, "reschedule", key, body)
    return {"status": "paused" if outcome in ("sent", "skipped") else "stopped"}


def resume(interview_id: str) -> dict[str, Any]:
    with transaction() as cur:
        interview = store.get(cur, interview_id, for_update=True)
        if not _active(interview):
            return STOPPED
        store.update(cur, interview_id, status="in_progress", resume_at=None)
    key = f"{interview_id}:resumed:{interview['reschedule_count']}"
    outcome = _send(interview, "resumed", key, messages.resumed())
    return {"status": "resumed" if outcome in ("sent", "skipped") else "stopped"}


_FINISH = {
    # outcome: (status, closing message kind)
    "completed": ("completed", "completed"),
    "knocked_out": ("completed", "knockout"),
    "expired": ("expired", "expired"),
    "failed": ("failed", None),
}


def finish(interview_id: str, outcome: str, *, position: int | None = None, attempt: int | None = None,
           flags: list[str] | None = None, reason: str | None = None) -> dict[str, Any]:  # fmt: skip
    """End the interview: record the outcome, send the closing message, and queue scoring when it counts."""
    status, kind = _FINISH[outcome]
    now = datetime.now(ZoneInfo("UTC"))
    with transaction() as cur:
        interview = store.get(cur, interview_id, for_update=True)
        if interview is None:
            return STOPPED
        if outcome == "expired" and position is not None and attempt is not None:
            answered = store.answer_for_attempt(cur, interview_id, position, attempt)
            if answered is not None:
                question = next(
                    q for q in job_store.questions_of(cur, interview["job_id"]) if q["position"] == position
                )
                return {
                    "status": "answered",
                    "answer": answer_verdict(question, answered["text"], answered["struggling"]),
                }
        first_time = _active(interview)
        if first_time:
            changes: dict[str, Any] = {"status": status, "ended_at": now, "awaiting_answer": False}
            all_flags = sorted(set(interview["flags"]) | set(flags or []))
            changes["flags"] = all_flags
            if "struggled" in all_flags:
                changes["struggled"] = True
            if status == "completed":
                changes.update(
                    completed_at=now, score_status="pending", score_requests=interview["score_requests"] + 1
                )
            if outcome == "knocked_out":
                changes.update(knocked_out=True, end_reason=f"knockout answer to question {position}")
            elif outcome == "expired":
                changes["end_reason"] = f"no answer to question {position}"
            elif outcome == "failed":
                changes["end_reason"] = reason or "the interview could not continue"
            elif "struggle_limit_reached" in all_flags:
                changes["end_reason"] = "ended early: the candidate kept struggling after the allowed pauses"
            interview = store.update(cur, interview_id, **changes)
        elif interview["status"] != status:
            return STOPPED  # cancelled, opted out or failed meanwhile
    interview_log(log, interview_id, outcome=outcome).info("interview finished: %s", outcome)
    if kind is not None:
        body = {"completed": messages.completed_thanks, "knockout": messages.knockout_ended,
                "expired": messages.expired}[kind]()  # fmt: skip
        _send(interview, kind, f"{interview_id}:{kind}", body)
    if status == "completed":
        request_scoring(interview_id, interview["score_requests"])
    return {"status": "finished", "outcome": outcome}


def _send(interview: dict, kind: str, dedupe_key: str, body: str, position: int | None = None) -> str:
    """Text the candidate once per key. Returns sent | skipped (sent before) | opted_out | failed."""
    return send_sms(
        interview["phone_e164"], body, kind=kind, dedupe_key=dedupe_key, interview_id=str(interview["id"]),
        candidate_id=str(interview["candidate_id"]), position=position,
    )  # fmt: skip


def send_sms(phone: str, body: str, *, kind: str, dedupe_key: str | None, interview_id: str | None,
             candidate_id: str | None, position: int | None = None) -> str:  # fmt: skip
    """Send one SMS unless it was sent before under `dedupe_key` or the number opted out; log it.

    A permanent delivery failure (opted out, unreachable number) stops the interview with the reason;
    a transient one raises, so the activity is retried.

    Exactly once per key, also across crashes: the key is claimed before the send and completed with the
    SID after it. A claim without a SID means an earlier attempt's outcome is unknown (it crashed, or timed
    out, after Twilio may have accepted the message), so Twilio is asked before sending again.
    """
    with transaction() as cur:
        earlier = store.sent_message(cur, dedupe_key) if dedupe_key else None
        if earlier is not None and earlier["sid"]:
            return "skipped"
        if store.is_opted_out(cur, phone):
            return "opted_out"
        if dedupe_key and earlier is None:
            store.claim_send(cur, dedupe_key, interview_id, kind)
    sender = factory.sms_sender()
    if earlier is not None:
        accepted = sender.find_sent(phone, body, since=earlier["sent_at"])
        if accepted is not None:
            interview_log(log, interview_id or "-").info(
                "an earlier attempt had sent the %s SMS; not sending it again", kind
            )
            _record_sent(phone, body, kind, dedupe_key, interview_id, candidate_id, position, accepted)
            return "skipped"
    try:
        sent = sender.send(phone, body)
    except SmsSendError as error:
        if not error.permanent:
            raise
        interview_log(log, interview_id or "-").warning("SMS refused permanently (code %s)", error.code)
        if interview_id:
            stop_after_delivery_failure(interview_id, error.code, str(error))
        return "opted_out" if error.code == OPTED_OUT_CODE else "failed"
    _record_sent(phone, body, kind, dedupe_key, interview_id, candidate_id, position, sent)
    return "sent"


def _record_sent(phone: str, body: str, kind: str, dedupe_key: str | None, interview_id: str | None,
                 candidate_id: str | None, position: int | None, sent: SentSms) -> None:  # fmt: skip
    with transaction() as cur:
        store.record_sent(cur, dedupe_key or f"sid:{sent.sid}", interview_id, sent.sid, kind)
    factory.conversation_log_safe().record_outbound(
        interview_id=interview_id, candidate_id=candidate_id, phone=phone, sid=sent.sid, body=body,
        status=sent.status, kind=kind, question_position=position,
    )  # fmt: skip


def stop_after_delivery_failure(interview_id: str, code: int | None, reason: str) -> bool:
    """A permanent failure to reach the candidate ends an active interview; True when it did."""
    status = "opted_out" if code == OPTED_OUT_CODE else "failed"
    with transaction() as cur:
        interview = store.get(cur, interview_id, for_update=True)
        if not _active(interview):
            return False
        store.update(cur, interview_id, status=status, ended_at=datetime.now(ZoneInfo("UTC")), awaiting_answer=False,
                     end_reason=f"SMS delivery failed permanently (Twilio error {code}): {reason}"[:500])  # fmt: skip
        if code == OPTED_OUT_CODE:
            store.opt_out(cur, interview["phone_e164"], "twilio-21610")
    return True
