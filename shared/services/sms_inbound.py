"""What an inbound SMS means: an answer, a keyword (STOP/START/HELP/READY), or a message to keep.

Runs inside the Twilio webhook, so it does one short transaction and returns what the entry point must do
next (raise an event, terminate an orchestration, reply); nothing slow happens here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.data import interviews as store
from shared.data import jobs as job_store
from shared.db import transaction
from shared.errors import BadRequest
from shared.interview import messages
from shared.interview.keywords import Keyword, classify_keyword, is_opt_in_keyword
from shared.interview.policy import answer_verdict
from shared.interview.struggle import is_struggling
from shared.observability import interview_fields
from shared.services.interviews import Signal
from shared.settings import get_settings

log = logging.getLogger("sms")
MAX_BODY = 1600  # Twilio's own limit for one (concatenated) message
LATE_TEXT_MINUTES = 15  # a second text this soon after the last answer still belongs to that answer


@dataclass
class InboundResult:
    sid: str
    phone: str
    body: str
    handled_as: str
    duplicate: bool = False
    interview_id: str | None = None
    candidate_id: str | None = None
    question_position: int | None = None
    signal: Signal | None = None
    terminate: str | None = None  # instance id of an orchestration to terminate
    reply: str | None = None
    reply_kind: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def handle_inbound(form: dict[str, str]) -> InboundResult:
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    phone = (form.get("From") or "").strip()
    if not sid or not phone:
        raise BadRequest("MessageSid and From are required")
    body = (form.get("Body") or "")[:MAX_BODY]
    if not body.strip() and _int(form.get("NumMedia")) > 0:
        body = "[media message]"
    result = InboundResult(sid=sid, phone=phone, body=body, handled_as="received")
    keyword = classify_keyword(body)
    with transaction() as cur:
        if not store.claim_inbound(cur, sid, phone, body):
            result.duplicate = True
            return result
        interview = store.active_for_phone(cur, phone)
        opted_out = store.is_opted_out(cur, phone)
        if interview is not None:
            result.interview_id, result.candidate_id = str(interview["id"]), str(interview["candidate_id"])
        if keyword is Keyword.STOP:
            _stop(cur, result, interview, body)
        elif keyword is Keyword.START or (opted_out and is_opt_in_keyword(body)):
            store.opt_in(cur, phone)
            result.handled_as = "opt_in"
        elif opted_out:
            result.handled_as = "from_opted_out"  # kept; nothing is sent to an opted-out number
        elif keyword is Keyword.HELP:
            result.handled_as = "help"
            if get_settings().sms_help_reply:
                result.reply, result.reply_kind = messages.help_reply(get_settings().company_name), "help"
        elif interview is None and _join_late_text(cur, result, body):
            pass
        elif interview is None:
            result.handled_as, result.reply, result.reply_kind = (
                "no_interview",
                messages.no_active_interview(),
                "no_interview",
            )
        elif interview["status"] == "paused" and keyword is Keyword.READY:
            seq = store.next_control_seq(cur, interview["id"])
            result.signal = Signal(str(interview["id"]), f"control_{seq}", {"action": "resume_now"})
            result.handled_as = "ready"
        elif interview["awaiting_answer"] and interview["current_question"]:
            _answer(cur, result, interview, body)
        elif interview["current_question"] and store.append_to_answer(
            cur, interview["id"], interview["current_question"], body, sid
        ):
            result.handled_as, result.question_position = "joined_answer", interview["current_question"]
        else:
            result.handled_as = "between_questions"
        store.mark_inbound(cur, sid, result.handled_as, result.interview_id, result.question_position,
                           interview["attempt"] if interview and result.question_position else None)  # fmt: skip
    if result.interview_id:
        log.info("inbound SMS handled as %s", result.handled_as, extra=interview_fields(result.interview_id))
    return result


def _join_late_text(cur: Any, result: InboundResult, body: str) -> bool:
    """A candidate who splits their last answer: the interview completed on the first text; join the rest."""
    recent = store.recently_finished_for_phone(cur, result.phone, LATE_TEXT_MINUTES)
    if recent is None or not recent["current_question"]:
        return False
    if not store.append_to_answer(cur, recent["id"], recent["current_question"], body, result.sid):
        return False
    result.handled_as, result.question_position = "joined_answer", recent["current_question"]
    result.interview_id, result.candidate_id = str(recent["id"]), str(recent["candidate_id"])
    return True


def _stop(cur: Any, result: InboundResult, interview: dict | None, body: str) -> None:
    store.opt_out(cur, result.phone, body.strip().upper()[:20] or "STOP")
    result.handled_as = "opt_out"
    if interview is not None:
        store.update(cur, interview["id"], status="opted_out", ended_at=datetime.now(UTC), awaiting_answer=False,
                     end_reason="the candidate texted STOP")  # fmt: skip
        result.terminate = str(interview["id"])


def _answer(cur: Any, result: InboundResult, interview: dict, body: str) -> None:
    position, attempt = interview["current_question"], interview["attempt"]
    question = next(q for q in job_store.questions_of(cur, interview["job_id"]) if q["position"] == position)
    struggling = is_struggling(body)
    store.record_answer(cur, interview, question, body, result.sid, struggling, datetime.now(UTC))
    store.update(cur, interview["id"], awaiting_answer=False,
                 struggle_count=interview["struggle_count"] + 1 if struggling else 0)  # fmt: skip
    result.handled_as, result.question_position = "answer", position
    result.signal = Signal(
        str(interview["id"]), f"answer_{position}_{attempt}", answer_verdict(question, body, struggling)
    )


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
