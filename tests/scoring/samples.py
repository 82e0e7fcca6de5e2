"""Interviews and verdicts shared by the scoring tests and the scoring benchmark."""

from __future__ import annotations

from typing import Any

from shared.scoring.models import ScoringInput, Verdict

JOB = {
    "title": "Backend Python Developer",
    "description": "Build and run the APIs behind our scheduling product.",
    # Free text, as a recruiter may type it: the model splits it into one requirement per line.
    "requirements": "- 3+ years of Python\n- PostgreSQL and SQL query tuning\n- REST API design\n"
    "- Deploying to Azure",
}

QUESTIONS = [
    {
        "position": 1,
        "text": "Are you authorised to work in the US?",
        "knockout": True,
        "expected_answer": "yes",
    },
    {
        "position": 2,
        "text": "Tell us about your experience with Python.",
        "ideal_answer": "Several years building backend services in Python with Django or FastAPI, "
        "writing tests with pytest and deploying them to production.",
    },
    {
        "position": 3,
        "text": "How would you speed up a slow SQL query?",
        "ideal_answer": "Read the query plan with EXPLAIN ANALYZE, add the right index, avoid N+1 queries "
        "and rewrite expensive joins.",
    },
    {"position": 4, "text": "Describe a REST API you designed."},
]

STRONG_ANSWERS = [
    {"question_position": 1, "text": "Yes, I am a US citizen."},
    {
        "question_position": 2,
        "text": "I have six years of Python. I built backend services with Django and FastAPI,\n"
        "wrote the tests with pytest and deployed them to production on Azure.",
    },
    {
        "question_position": 3,
        "text": "First I read the query plan with EXPLAIN ANALYZE. Then I add the missing index, "
        "remove N+1 queries from the ORM code and rewrite the expensive joins.",
    },
    {
        "question_position": 4,
        "text": "I designed a REST API for booking appointments: versioned resources, pagination, "
        "idempotency keys on POST, and an OpenAPI spec. It served PostgreSQL data to our mobile app.",
    },
]

WEAK_ANSWERS = [
    {"question_position": 1, "text": "yes"},
    {"question_position": 2, "text": "I used it a bit at school."},
    {"question_position": 3, "text": "no idea, I don't know", "struggling": True},
    {"question_position": 4, "text": "not really"},
]

RESUME = "Senior developer. Python, Django, FastAPI, PostgreSQL performance tuning, Azure Functions."


def interview(
    answers: list[dict[str, Any]] | None = None,
    *,
    interview_id: str = "itv-1",
    resume_text: str | None = RESUME,
    knocked_out: dict[str, Any] | None = None,
) -> ScoringInput:
    return ScoringInput.model_validate(
        {
            "interview_id": interview_id,
            "job": JOB,
            "questions": QUESTIONS,
            "answers": STRONG_ANSWERS if answers is None else answers,
            "resume_text": resume_text,
            "knocked_out": knocked_out,
        }
    )


def grounded_verdict(scoring_input: ScoringInput, job_fit_score: int = 82) -> Verdict:
    """A valid verdict whose evidence is the first sentence-ish part of each answer (verbatim)."""
    entries = []
    for question in scoring_input.ordered_questions:
        answer = scoring_input.answer_to(question.position)
        entries.append(
            {
                "question_position": question.position,
                "score": 8 if answer else 0,
                "evidence": answer.text.split("\n")[0][:120] if answer else "",
                "rationale": "Relevant and specific." if answer else "Not answered.",
            }
        )
    return Verdict.model_validate(
        {
            "job_fit_score": job_fit_score,
            "recommendation": "advance",
            "summary": "Strong backend candidate with relevant Python and SQL experience.",
            "questions": entries,
            "strengths": ["Python", "SQL tuning"],
            "concerns": [],
        }
    )
