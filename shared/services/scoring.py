"""Scores a finished interview: loads job, resume text and transcript, runs the scorer, stores the verdict.

Idempotent on (interview, request number, scorer, scorer version, prompt version): a redelivered message
finds the stored score and changes nothing. Failures raise so Service Bus redelivers; the last delivery's
failure is recorded on the interview (`score_status = failed`) before the message is dead-lettered.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from psycopg2.extras import Json

from shared.data import interviews as store
from shared.data import jobs as job_store
from shared.db import transaction
from shared.errors import Conflict, NotFound
from shared.observability import interview_log
from shared.services.scoring_requests import request_scoring
from shared.settings import get_settings

log = logging.getLogger("scoring")


@lru_cache(maxsize=1)
def scorer() -> Any:
    from shared.scoring import make_scorer

    settings = get_settings()
    return make_scorer(
        gemini_api_key=settings.gemini_api_key,
        model=settings.gemini_model,
        base_url=settings.gemini_base_url,
        timeout_s=settings.gemini_timeout_seconds,
        attempts=settings.gemini_attempts,
    )


def load_input(interview_id: str) -> Any:
    from shared.scoring import ScoringInput

    with transaction() as cur:
        interview = store.get(cur, interview_id)
        if interview is None:
            return None
        job = job_store.get(cur, interview["job_id"])
        questions = job_store.questions_of(cur, interview["job_id"])
        answers = store.answers_of(cur, interview_id)
        cur.execute(
            "SELECT text_content FROM resumes WHERE candidate_id = %s", (str(interview["candidate_id"]),)
        )
        resume = cur.fetchone()
    knocked_out = None
    if interview["knocked_out"]:
        position = _knockout_position(interview["end_reason"], questions)
        knocked_out = {"question_position": position, "reason": interview["end_reason"] or "knockout answer"}
    return ScoringInput.model_validate(
        {
            "interview_id": str(interview_id),
            "job": {
                "title": job["title"],
                "description": job["description"],
                "requirements": list(job["requirements"]),
            },
            "questions": [
                {
                    "position": q["position"],
                    "text": q["text"],
                    "ideal_answer": q["ideal_answer"],
                    "knockout": q["knockout"],
                    "expected_answer": q["expected_answer"],
                }  # fmt: skip
                for q in questions
            ],
            "answers": [
                {
                    "question_position": a["question_position"],
                    "text": a["text"],
                    "struggling": a["struggling"],
                }
                for a in answers
            ],
            "resume_text": resume["text_content"] if resume else None,
            "knocked_out": knocked_out,
        }
    )


def _knockout_position(end_reason: str | None, questions: list[dict]) -> int:
    digits = "".join(ch for ch in (end_reason or "").rsplit(" ", 1)[-1] if ch.isdigit())
    if digits:
        return int(digits)
    return next((q["position"] for q in questions if q["knockout"]), 1)


def score_interview(interview_id: str, request_number: int, delivery_count: int) -> str:
    """Score once; returns scored | already_scored | gone | failed.

    Transient failures raise so Service Bus redelivers (the last delivery's failure is recorded first);
    permanent ones (a rejected verdict, a refused request) are recorded and the message is settled.
    """
    from shared.scoring import PROMPT_VERSION, PermanentScoringError, scorer_version_for

    scoring_input = load_input(interview_id)
    if scoring_input is None:
        return "gone"  # the candidate was erased meanwhile: nothing to score, nothing to keep
    active = scorer()
    version = scorer_version_for(active, scoring_input)
    if _already_scored(interview_id, request_number, version, PROMPT_VERSION):
        return "already_scored"
    try:
        result = active.score(scoring_input)
    except PermanentScoringError as exc:
        interview_log(log, interview_id).error("scoring failed for good: %s", str(exc)[:300])
        _record_failure(interview_id, f"{type(exc).__name__}: {str(exc)[:400]}")
        return "failed"
    except Exception as exc:
        final = delivery_count >= get_settings().scoring_max_delivery_count
        interview_log(log, interview_id, final=final).warning(
            "scoring attempt %s failed: %s", delivery_count, str(exc)[:300]
        )
        if final:
            _record_failure(interview_id, f"{type(exc).__name__}: {str(exc)[:400]}")
        raise
    stored = _store(interview_id, request_number, result)
    interview_log(log, interview_id).info("interview scored in %s ms by %s", result.latency_ms, result.scorer)
    return "scored" if stored else "already_scored"


def _already_scored(interview_id: str, request_number: int, scorer_version: str, prompt_version: str) -> bool:
    with transaction() as cur:
        cur.execute(
            "SELECT 1 FROM scores WHERE interview_id = %s AND request_number = %s AND scorer_version = %s "
            "AND prompt_version IN (%s, '-')",
            (interview_id, request_number, scorer_version, prompt_version),
        )
        return cur.fetchone() is not None


def _store(interview_id: str, request_number: int, result: Any) -> bool:
    verdict = result.verdict
    details = verdict.model_dump(mode="json", exclude={"job_fit_score", "recommendation"})
    details["metadata"] = result.model_dump(mode="json", exclude={"verdict"})
    with transaction() as cur:
        cur.execute(
            """INSERT INTO scores (interview_id, request_number, scorer, scorer_version, prompt_version, model,
                                   job_fit_score, recommendation, details)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (interview_id, request_number, scorer, scorer_version, prompt_version) DO NOTHING""",
            (interview_id, request_number, result.scorer, result.scorer_version, result.prompt_version or "-",
             result.model, verdict.job_fit_score, verdict.recommendation, Json(details)),
        )  # fmt: skip
        inserted = cur.rowcount == 1
        cur.execute(
            "UPDATE interviews SET score_status = 'scored', score_error = NULL, updated_at = now() "
            "WHERE id = %s AND score_requests <= %s",
            (interview_id, request_number),
        )
    return inserted


def _record_failure(interview_id: str, reason: str) -> None:
    with transaction() as cur:
        cur.execute(
            "UPDATE interviews SET score_status = 'failed', score_error = %s, updated_at = now() WHERE id = %s",
            (reason, interview_id),
        )


def request_rescore(interview_id: str) -> int:
    """Queue a fresh scoring; the new score is kept beside the old ones. Returns the request number."""
    with transaction() as cur:
        interview = store.get(cur, interview_id, for_update=True)
        if interview is None:
            raise NotFound(f"no interview with id {interview_id}")
        if interview["status"] != "completed":
            raise Conflict(f"only completed interviews are scored; this one is {interview['status']}")
        updated = store.update(cur, interview_id, score_requests=interview["score_requests"] + 1,
                               score_status="pending", score_error=None)  # fmt: skip
    request_scoring(str(interview_id), updated["score_requests"])
    interview_log(log, interview_id).info("rescoring requested at %s", datetime.now(UTC).isoformat())
    return updated["score_requests"]
