"""Test data through the same services the API uses, plus direct SQL for states only the engine reaches."""

from __future__ import annotations

from typing import Any

import psycopg2

from shared.schemas.candidates import CandidateCreate
from shared.schemas.jobs import JobCreate
from shared.services import candidates, jobs


def make_job(questions: list[dict[str, Any]] | None = None, **settings: Any) -> Any:
    questions = questions or [{"text": "How many years of Python?"}, {"text": "Tell me about a hard bug."}]
    return jobs.create_job(
        JobCreate(
            title="Backend Engineer",
            requirements=["Python"],
            questions=questions,
            interview_settings=settings,
        )
    )


def make_candidate(phone: str = "+14155550100", job_id: Any = None, consent: bool = True) -> Any:
    return candidates.create_candidate(
        CandidateCreate(name="Casey Candidate", phone=phone, job_id=job_id, sms_consent=consent)
    )


def insert_interview(database_url: str, candidate: Any, job: Any, **columns: Any) -> str:
    values = {"status": "in_progress", "question_count": len(job.questions), **columns}
    names = ", ".join(["candidate_id", "job_id", "phone_e164", *values])
    placeholders = ", ".join(["%s"] * (3 + len(values)))
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO interviews ({names}) VALUES ({placeholders}) RETURNING id",
            (str(candidate.id), str(job.id), candidate.phone, *values.values()),
        )
        return str(cur.fetchone()[0])
