"""Scoring a finished interview from the database: idempotent, never invented, failures recorded."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg2
import pytest

from shared.services import scoring
from shared.settings import reset_settings_cache
from tests.fakes.fake_gemini import FakeGemini, http_error
from tests.support.factories import insert_interview, make_candidate, make_job
from tests.support.functions_host import call


@pytest.fixture
def completed_interview(clean_db: str) -> str:
    job = make_job([{"text": "Years of Python?", "ideal_answer": "Several years building Python services"},
                    {"text": "Work authorisation?", "knockout": True, "expected_answer": "yes"}])  # fmt: skip
    candidate = make_candidate(job_id=job.id)
    interview_id = insert_interview(clean_db, candidate, job, status="completed", score_status="pending",
                                    score_requests=1)  # fmt: skip
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:
        for position, text, question in ((1, "Eight years building Python services with Django", job.questions[0]),
                                         (2, "Yes", job.questions[1])):  # fmt: skip
            cur.execute(
                "INSERT INTO answers (interview_id, question_id, question_position, question_text, text, "
                "message_sids, received_at) VALUES (%s, %s, %s, %s, %s, ARRAY['SM' || %s], now())",
                (interview_id, str(question.id), position, question.text, text, position),
            )
    return interview_id


@pytest.fixture
def local_scorer() -> Iterator[None]:
    scoring.scorer.cache_clear()
    yield
    scoring.scorer.cache_clear()


def test_local_score_is_stored_once_and_shown_on_the_interview(completed_interview, local_scorer):
    assert scoring.score_interview(completed_interview, 1, delivery_count=1) == "scored"
    assert scoring.score_interview(completed_interview, 1, delivery_count=2) == "already_scored"
    detail = call("GET", f"interviews/{completed_interview}").json()
    assert detail["score_status"] == "scored"
    score = detail["score"]
    assert score["scorer"] == "local" and 0 <= score["job_fit_score"] <= 100
    assert [q["question_position"] for q in score["questions"]] == [1, 2]
    assert score["questions"][0]["evidence"] in "Eight years building Python services with Django"


def test_knocked_out_interview_is_a_rule_reject_without_a_model(clean_db, completed_interview, local_scorer):
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:
        cur.execute("UPDATE interviews SET knocked_out = true, end_reason = 'knockout answer to question 2'")
    scoring.score_interview(completed_interview, 1, delivery_count=1)
    score = call("GET", f"interviews/{completed_interview}").json()["score"]
    assert score["scorer"] == "rule" and score["recommendation"] == "reject"


def test_erased_interview_is_gone_not_an_error(clean_db, local_scorer):
    assert scoring.score_interview("00000000-0000-0000-0000-000000000000", 1, delivery_count=1) == "gone"


@pytest.fixture
def gemini_down(monkeypatch) -> Iterator[FakeGemini]:
    with FakeGemini() as fake:
        monkeypatch.setenv("GEMINI_API_KEY", fake.api_key)
        monkeypatch.setenv("GEMINI_BASE_URL", fake.base_url)
        monkeypatch.setenv("GEMINI_TIMEOUT_SECONDS", "2")
        reset_settings_cache()
        scoring.scorer.cache_clear()
        yield fake
    scoring.scorer.cache_clear()
    for name in ("GEMINI_API_KEY", "GEMINI_BASE_URL", "GEMINI_TIMEOUT_SECONDS"):
        os.environ.pop(name, None)
    reset_settings_cache()


def test_transient_failures_raise_and_the_last_delivery_records_the_reason(completed_interview, gemini_down):
    gemini_down.enqueue(*[http_error(503) for _ in range(20)])
    with pytest.raises(Exception):  # noqa: B017 - any transient error must propagate to Service Bus
        scoring.score_interview(completed_interview, 1, delivery_count=1)
    assert call("GET", f"interviews/{completed_interview}").json()["score_status"] == "pending"
    with pytest.raises(Exception):  # noqa: B017
        scoring.score_interview(completed_interview, 1, delivery_count=5)
    detail = call("GET", f"interviews/{completed_interview}").json()
    assert detail["score_status"] == "failed" and detail["score_error"] and detail["score"] is None


def test_a_refused_request_is_recorded_without_retrying(completed_interview, gemini_down):
    gemini_down.enqueue(http_error(400, "API key not valid"))
    assert scoring.score_interview(completed_interview, 1, delivery_count=1) == "failed"
    detail = call("GET", f"interviews/{completed_interview}").json()
    assert detail["score_status"] == "failed" and "API key" in detail["score_error"]
