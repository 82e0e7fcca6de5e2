"""Recruiter use cases for interviews: create, read, cancel, reschedule.

Starting and signalling the orchestration is the entry point's job (it holds the durable client); these
functions return what it must do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from shared.data import candidates as candidate_store
from shared.data import interviews as store
from shared.data import jobs as job_store
from shared.db import transaction
from shared.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from shared.interview.schedule import candidate_timezone
from shared.observability import interview_log
from shared.schemas.interviews import (
    Answer,
    Interview,
    InterviewCreate,
    InterviewPage,
    InterviewSummary,
    Message,
    MessageList,
    Progress,
    RescheduleRequest,
    score_from_row,
)

log = logging.getLogger("interview")
MAX_AHEAD = timedelta(days=30)
ORCHESTRATOR = "interview_orchestrator"


@dataclass(frozen=True)
class Signal:
    """An event for the orchestration: instance id, event name, payload."""

    instance_id: str
    name: str
    payload: dict[str, Any]


def _check_start(start_at: datetime | None, field: str) -> datetime | None:
    if start_at is None:
        return None
    now = datetime.now(UTC)
    if start_at > now + MAX_AHEAD:
        raise ValidationFailed.single(field, "at most 30 days ahead")
    return max(start_at, now)


def create_interview(request: InterviewCreate) -> Interview:
    start_at = _check_start(request.start_at, "start_at")
    with transaction() as cur:
        candidate = candidate_store.get(cur, request.candidate_id, for_update=True)
        if candidate is None:
            raise ValidationFailed.single("candidate_id", f"no candidate with id {request.candidate_id}")
        job = job_store.get(cur, request.job_id)
        if job is None:
            raise ValidationFailed.single("job_id", f"no job with id {request.job_id}")
        if job["status"] != "open":
            raise Conflict(f"the job is {job['status']}; only open jobs can interview")
        if not candidate["sms_consent"]:
            raise Conflict("the candidate has not consented to SMS; set sms_consent once they have")
        phone = candidate["phone_e164"]
        if store.is_opted_out(cur, phone):
            raise Conflict(
                "the candidate's number opted out of SMS (texted STOP); they must text START first"
            )
        if store.active_for_phone(cur, phone, for_update=False) is not None:
            raise Conflict("this phone number already has an active interview")
        questions = job_store.questions_of(cur, request.job_id)
        timezone = candidate_timezone(phone, job["timezone"])
        import psycopg2.errors  # here, not at module level: psycopg2 is loaded on first database use

        cur.execute("SAVEPOINT create_interview")
        try:
            row = store.insert(
                cur, request.candidate_id, request.job_id, phone, len(questions), start_at, timezone
            )
        except psycopg2.errors.UniqueViolation:  # a concurrent request won the race for this number
            cur.execute("ROLLBACK TO SAVEPOINT create_interview")
            raise Conflict("this phone number already has an active interview") from None
        interview_log(log, row["id"]).info("interview created")
        return _detail(cur, row)


def mark_start_failed(interview_id: UUID, reason: str) -> None:
    with transaction() as cur:
        store.update(cur, interview_id, status="failed", ended_at=datetime.now(UTC),
                     end_reason=f"the interview could not be started: {reason}"[:500])  # fmt: skip


def get_interview(interview_id: UUID) -> Interview:
    with transaction() as cur:
        row = store.get(cur, interview_id)
        if row is None:
            raise NotFound(f"no interview with id {interview_id}")
        return _detail(cur, row)


def _detail(cur: Any, row: dict) -> Interview:
    answers = store.answers_of(cur, row["id"])
    score = store.latest_score(cur, row["id"])
    return Interview(
        **{
            k: row[k]
            for k in Interview.model_fields
            if k in row and k not in ("progress", "answers", "score")
        },
        progress=_progress(row, len(answers)),
        answers=[
            Answer(
                question_position=a["question_position"],
                question=a["question_text"],
                text=a["text"],
                received_at=a["received_at"],
                struggling=a["struggling"],
            )  # fmt: skip
            for a in answers
        ],
        score=score_from_row(score) if score else None,
    )


def _progress(row: dict, answered: int) -> Progress:
    current = row["current_question"] if row["awaiting_answer"] else None
    return Progress(answered=answered, total=row["question_count"], current_question=current)


def list_interviews(status: str | None, job_id: UUID | None, candidate_id: UUID | None, limit: int,
                    cursor: str | None) -> InterviewPage:  # fmt: skip
    if status is not None and status not in store.ACTIVE_STATUSES + store.TERMINAL_STATUSES:
        raise ValidationFailed.single("status", "not an interview status")
    with transaction() as cur:
        rows, next_cursor = store.list_page(cur, status, job_id, candidate_id, limit, cursor)
    items = [
        InterviewSummary(
            **{k: r[k] for k in InterviewSummary.model_fields if k != "progress"},
            progress=_progress(r, r["answered"]),
        )  # fmt: skip
        for r in rows
    ]
    return InterviewPage(items=items, next_cursor=next_cursor)


def cancel_interview(interview_id: UUID, reason: str = "cancelled by the recruiter") -> dict:
    """Mark an active interview cancelled; the caller terminates its orchestration and tells the candidate."""
    with transaction() as cur:
        row = store.get(cur, interview_id, for_update=True)
        if row is None:
            raise NotFound(f"no interview with id {interview_id}")
        if row["status"] not in store.ACTIVE_STATUSES:
            raise Conflict(f"the interview is already {row['status']}")
        return store.update(cur, interview_id, status="cancelled", ended_at=datetime.now(UTC),
                            awaiting_answer=False, end_reason=reason)  # fmt: skip


def reschedule_interview(interview_id: UUID, request: RescheduleRequest) -> tuple[Interview, Signal]:
    start_at = _check_start(request.start_at, "start_at")
    with transaction() as cur:
        row = store.get(cur, interview_id, for_update=True)
        if row is None:
            raise NotFound(f"no interview with id {interview_id}")
        if row["status"] not in store.ACTIVE_STATUSES:
            raise Conflict(f"the interview is {row['status']}; only an active interview can be rescheduled")
        if row["status"] == "scheduled":
            store.update(cur, interview_id, scheduled_at=start_at)
        seq = store.next_control_seq(cur, interview_id)
        row = store.get(cur, interview_id)
        signal = Signal(
            str(interview_id), f"control_{seq}", {"action": "reschedule", "start_at": start_at.isoformat()}
        )
        return _detail(cur, row), signal


def conversation(interview_id: UUID) -> MessageList:
    from shared.adapters import factory

    with transaction() as cur:
        if store.get(cur, interview_id) is None:
            raise NotFound(f"no interview with id {interview_id}")
    try:
        entries = factory.conversation_log().list_for_interview(str(interview_id))
    except Exception as exc:
        from shared.adapters.storage import is_transient

        if is_transient(exc):  # storage unreachable: a 503 the client retries, not a 500
            raise ServiceUnavailable("the conversation log is unavailable; retry shortly") from None
        raise
    return MessageList(
        items=[Message(**{k: e.get(k) for k in Message.model_fields if k in e}) for e in entries]
    )
