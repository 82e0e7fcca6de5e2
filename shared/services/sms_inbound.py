"""What an inbound SMS means: an answer, a keyword (STOP/START/HELP/READY), or a message to keep.

Runs inside the Twilio webhook, so it does one short transaction and returns what the entry point must do
next (raise an event, terminate an orchestration); nothing slow happens here.

The follow-up (the conversation log entry and any automatic reply) happens after the webhook has answered,
on threads of its own (`follow_ups`), because it costs four Table Storage round trips and, for a reply, a
Twilio API call. Nothing can be lost that way: the message is in PostgreSQL (inbound_messages) before the
webhook answers, and `catch_up_follow_ups` redoes from there whatever a stopped process or a storage outage
left undone (both writes are idempotent: the log by MessageSid, the reply by its dedupe key).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters import factory
from shared.data import interviews as store
from shared.data import jobs as job_store
from shared.db import transaction
from shared.errors import BadRequest
from shared.interview import messages
from shared.interview.keywords import Keyword, classify_keyword, is_opt_in_keyword
from shared.interview.policy import answer_verdict
from shared.interview.struggle import is_struggling
from shared.observability import interview_log
from shared.services.interviews import Signal
from shared.settings import get_settings

log = logging.getLogger("sms")
MAX_BODY = 1600  # Twilio's own limit for one (concatenated) message
LATE_TEXT_MINUTES = 15  # a second text this soon after the last answer still belongs to that answer
# A candidate who splits an answer over two texts a few seconds apart: the next question may already be out
# when the second one arrives. A text within SMS_SPLIT_ANSWER_SECONDS of a question being sent cannot be its
# answer (the question needs a few seconds to reach the phone, be read and be answered), so it continues the
# answer before it, when that answer came at most this long before the question went out:
SPLIT_ANSWER_MAX_AGE_SECONDS = 60.0


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
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


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
            _redo_lost_signal(cur, result)
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
            result.reply, result.reply_kind = automatic_reply("help")
        elif interview is None and _join_late_text(cur, result, body):
            pass
        elif interview is None:
            result.handled_as = "no_interview"
            result.reply, result.reply_kind = automatic_reply("no_interview")
        elif interview["status"] == "paused" and keyword is Keyword.READY:
            seq = store.next_control_seq(cur, interview["id"])
            result.signal = Signal(str(interview["id"]), f"control_{seq}", {"action": "resume_now"})
            result.handled_as = "ready"
        elif interview["awaiting_answer"] and interview["current_question"]:
            if not _join_continuation(cur, result, interview, body):
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
        interview_log(log, result.interview_id).info("inbound SMS handled as %s", result.handled_as)
    return result


def _redo_lost_signal(cur: Any, result: InboundResult) -> None:
    """A redelivery changes nothing stored, but the first delivery may have been cut off (the process stopped)
    after its transaction and before it raised the answer event or stopped the orchestration: Twilio only
    retries when it got no answer. So raise the event again while the interview still waits at that answer
    (the event name is that answer's own, so a second copy of one already consumed is never read), and
    terminate again after a STOP (which does nothing to a finished orchestration)."""
    first = store.inbound_message(cur, result.sid)
    if first is None or first["interview_id"] is None:
        return
    interview_id = str(first["interview_id"])
    if first["handled_as"] == "opt_out":
        result.terminate = interview_id
        return
    if first["handled_as"] != "answer":
        return
    interview = store.get(cur, interview_id)
    position, attempt = first["question_position"], first["attempt"]
    if (
        interview is None
        or interview["status"] not in store.ACTIVE_STATUSES
        or interview["awaiting_answer"]
        or (interview["current_question"], interview["attempt"]) != (position, attempt)
    ):
        return  # the orchestration has moved on: it had the event
    answer = store.answer_for_attempt(cur, interview_id, position, attempt)
    question = next(
        (q for q in job_store.questions_of(cur, interview["job_id"]) if q["position"] == position), None
    )
    if answer is None or question is None:
        return
    result.interview_id, result.question_position = interview_id, position
    result.signal = Signal(
        interview_id,
        f"answer_{position}_{attempt}",
        answer_verdict(question, answer["text"], answer["struggling"]),
    )


def _join_continuation(cur: Any, result: InboundResult, interview: dict, body: str) -> bool:
    """The second half of the previous answer, arriving right after the next question went out: join it."""
    window = get_settings().sms_split_answer_seconds
    if not window or interview["current_question"] <= 1:
        return False
    position = store.answer_just_before_question(
        cur, interview["id"], interview["current_question"], interview["attempt"], window,
        SPLIT_ANSWER_MAX_AGE_SECONDS,
    )  # fmt: skip
    if position is None or not store.append_to_answer(cur, interview["id"], position, body, result.sid):
        return False
    result.handled_as, result.question_position = "joined_answer", position
    return True


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


def automatic_reply(handled_as: str) -> tuple[str, str] | tuple[None, None]:
    """The reply (text, kind) to a message handled as `handled_as`, or (None, None) when none is due."""
    if handled_as == "help" and get_settings().sms_help_reply:
        return messages.help_reply(get_settings().company_name), "help"
    if handled_as == "no_interview":
        return messages.no_active_interview(), "no_interview"
    return None, None


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


# --- after the webhook has answered ------------------------------------------------------------------------

FOLLOW_UP_THREADS = 4
# Back-pressure: when the oldest waiting follow-up has waited this long (or this many wait), the webhook does
# the follow-up itself, which slows the sender down. Bursts are absorbed; the log never lags by more than
# about this, so the catch-up (which leaves the last CATCH_UP_GRACE alone) does not race the follow-ups.
FOLLOW_UP_MAX_LAG_SECONDS = 20.0
FOLLOW_UP_BACKLOG = 20_000
CATCH_UP_WINDOW = timedelta(minutes=15)  # the catch-up looks this far back...
CATCH_UP_GRACE = timedelta(minutes=1)  # ...at messages older than this (their follow-up had time to finish)


def follow_up(result: InboundResult) -> None:
    """Log the message in the conversation log and send any reply; failures here lose nothing stored."""
    entry = factory.conversation_log_safe().record_inbound(
        interview_id=result.interview_id, candidate_id=result.candidate_id, phone=result.phone, sid=result.sid,
        body=result.body, kind=result.handled_as, question_position=result.question_position,
        created_at=result.received_at,
    )  # fmt: skip
    if entry is not None:
        follow_ups.logged(result.sid)
    if result.reply:
        _send_reply(
            result.phone,
            result.sid,
            result.reply,
            result.reply_kind,
            result.interview_id,
            result.candidate_id,
        )


def _send_reply(phone: str, sid: str, text: str, kind: str | None, interview_id: str | None,
                candidate_id: str | None) -> None:  # fmt: skip
    from shared.services.interview_flow import send_sms

    try:
        send_sms(phone, text, kind=kind or "reply", dedupe_key=f"reply:{sid}", interview_id=interview_id,
                 candidate_id=candidate_id)  # fmt: skip
    except Exception as exc:  # the catch-up tries again
        log.warning("could not send the %s reply: %s", kind, str(exc)[:200])


class FollowUps:
    """Runs `follow_up` after the webhook's response, on a few threads of its own (not the threads that
    run requests, so a slow Table Storage or Twilio cannot hold up the next webhook)."""

    def __init__(self, threads: int = FOLLOW_UP_THREADS, backlog: int = FOLLOW_UP_BACKLOG,
                 max_lag_seconds: float = FOLLOW_UP_MAX_LAG_SECONDS) -> None:  # fmt: skip
        self._threads, self._backlog, self._max_lag = threads, backlog, max_lag_seconds
        self._waiting: deque[float] = deque()  # when each queued follow-up was submitted, oldest first
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._drained = threading.Condition(self._lock)
        self._pending = 0
        self._logged: dict[str, float] = {}  # MessageSid -> monotonic time it was logged by this process

    def submit(self, result: InboundResult) -> bool:
        """Queue the follow-up; False (nothing queued) when the backlog is too old or too long: the caller does
        it itself."""
        now = time.monotonic()
        with self._lock:
            if len(self._waiting) >= self._backlog or (
                self._waiting and now - self._waiting[0] > self._max_lag
            ):
                return False
            self._pending += 1
            self._waiting.append(now)
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="sms-follow-up")
            self._executor.submit(self._run, result)  # under the lock: work starts in the order of _waiting
        return True

    def _run(self, result: InboundResult) -> None:
        with self._lock:
            self._waiting.popleft()  # the executor starts work in the order it was submitted
        try:
            follow_up(result)
        except Exception:  # never raised by design; logged so a bug cannot pass silently
            log.exception("follow-up of an inbound SMS failed")
        finally:
            with self._lock:
                self._pending -= 1
                if self._pending == 0:
                    self._drained.notify_all()

    def pending(self) -> int:
        """Follow-ups submitted and not finished."""
        with self._lock:
            return self._pending

    def wait(self, timeout: float) -> bool:
        """Until every submitted follow-up has finished; False if that takes longer than `timeout` s."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._drained.wait(remaining)
            return True

    def logged(self, sid: str) -> None:
        """Remember that this process logged `sid`, so the catch-up need not read the log to know it."""
        now = time.monotonic()
        with self._lock:
            self._logged[sid] = now
            if len(self._logged) % 1000 == 0:  # forget what is older than the catch-up looks back
                horizon = now - CATCH_UP_WINDOW.total_seconds() - 60
                self._logged = {k: v for k, v in self._logged.items() if v >= horizon}

    def was_logged(self, sid: str) -> bool:
        with self._lock:
            return sid in self._logged


follow_ups = FollowUps()


@dataclass
class CatchUp:
    checked: int = 0
    logged: int = 0
    replied: int = 0


def catch_up_follow_ups(window: timedelta = CATCH_UP_WINDOW, grace: timedelta = CATCH_UP_GRACE) -> CatchUp:
    """Log, and reply to, inbound messages received between `window` and `grace` ago whose follow-up did not
    happen (the process stopped after answering, or Table Storage or Twilio failed). Idempotent."""
    with transaction() as cur:
        rows = store.inbound_received_between(cur, window, grace)
    outcome = CatchUp(checked=len(rows))
    conversation_log = factory.conversation_log()
    for row in rows:
        sid = row["message_sid"]
        interview_id = str(row["interview_id"]) if row["interview_id"] else None
        candidate_id = str(row["candidate_id"]) if row["candidate_id"] else None
        if not follow_ups.was_logged(sid) and conversation_log.get(sid) is None:
            conversation_log.record_inbound(
                interview_id=interview_id, candidate_id=candidate_id, phone=row["from_phone"], sid=sid,
                body=row["body"], kind=row["handled_as"], question_position=row["question_position"],
                created_at=row["received_at"],
            )  # fmt: skip
            follow_ups.logged(sid)
            outcome.logged += 1
        text, kind = automatic_reply(row["handled_as"])
        if text and not row["replied"]:
            _send_reply(row["from_phone"], sid, text, kind, interview_id, candidate_id)
            outcome.replied += 1
    return outcome
