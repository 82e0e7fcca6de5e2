"""Scoring end to end through devhost's queue with the real google-genai client against a fake Gemini:
completion -> queue message -> score on GET /api/interviews/{id}; redelivery, dead letter and replay."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devhost.azurite import free_port
from tests.conftest import traversable_temp_dir
from tests.e2e.conftest import DevhostClient, start_devhost, stop_devhost
from tests.e2e.test_interview_flow import make_interview
from tests.fakes.fake_gemini import FakeGemini, http_error, verdict_json

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def gemini() -> Iterator[FakeGemini]:
    with FakeGemini() as fake:
        yield fake


@pytest.fixture(scope="module")
def scoring_host(gemini: FakeGemini) -> Iterator[DevhostClient]:
    client = start_devhost(
        traversable_temp_dir("devhost-scoring"),
        free_port(),
        {
            "GEMINI_API_KEY": gemini.api_key,
            "GEMINI_BASE_URL": gemini.base_url,
            "GEMINI_TIMEOUT_SECONDS": "5",
            "GEMINI_ATTEMPTS": "1",
            "SCORING_MAX_DELIVERY_COUNT": "3",
            "DEVHOST_REDELIVERY_DELAY_SECONDS": "0.05",
        },
    )
    yield client
    stop_devhost(client)


def verdict_for(answers: list[str]) -> dict:
    return {
        "job_fit_score": 82,
        "recommendation": "advance",
        "summary": "Strong Python background with production experience.",
        "questions": [
            {"question_position": i, "score": 8, "evidence": text, "rationale": "Concrete and relevant."}
            for i, text in enumerate(answers, 1)
        ],
        "strengths": ["Production Python"],
        "concerns": [],
    }


def complete_interview(host: DevhostClient, phone: str, answers: list[str]) -> dict:
    interview = make_interview(
        host, phone, questions=[{"text": f"Question {i}?"} for i in range(1, len(answers) + 1)]
    )
    for i, answer in enumerate(answers, 1):
        host.wait_for_sms(phone, lambda body, i=i: f"Question {i}?" in body)
        host.reply(phone, answer)
    return interview


def test_a_completed_interview_is_scored_by_gemini_with_checked_evidence(scoring_host, gemini):
    answers = ["Seven years of Python at scale", "I built our payments API"]
    gemini.enqueue(verdict_json(verdict_for(answers)))
    interview = complete_interview(scoring_host, "+14155550201", answers)
    detail = scoring_host.wait_for(lambda: scoring_host.api("GET", f"/api/interviews/{interview['id']}"),
                                   lambda d: d["score"] is not None)  # fmt: skip
    assert detail["score"]["scorer"] == "gemini" and detail["score"]["job_fit_score"] == 82
    assert [q["evidence"] for q in detail["score"]["questions"]] == answers
    prompt = " ".join(gemini.requests[-1].user_texts)
    assert "Seven years of Python at scale" in prompt


def test_model_outage_retries_then_dead_letters_then_replay_scores(scoring_host, gemini):
    answers = ["Ten years", "Mostly backend work"]
    gemini.enqueue(*[http_error(503) for _ in range(3)])
    interview = complete_interview(scoring_host, "+14155550202", answers)
    failed = scoring_host.wait_for(lambda: scoring_host.api("GET", f"/api/interviews/{interview['id']}"),
                                   lambda d: d["score_status"] == "failed")  # fmt: skip
    assert failed["score"] is None and "503" in (failed["score_error"] or "") or failed["score_error"]
    queues = scoring_host.session.get(scoring_host.url + "/dev/queues", timeout=10).json()["queues"]
    dead = [
        d for d in queues["interview-scoring"]["dead_letters"] if d["message_id"].startswith(interview["id"])
    ]
    assert len(dead) == 1 and dead[0]["delivery_count"] == 3
    gemini.enqueue(verdict_json(verdict_for(answers)))
    replay = scoring_host.session.post(
        scoring_host.url + f"/dev/queues/interview-scoring/deadletters/{dead[0]['id']}/resubmit", timeout=10
    )
    assert replay.status_code == 200
    scored = scoring_host.wait_for(lambda: scoring_host.api("GET", f"/api/interviews/{interview['id']}"),
                                   lambda d: d["score_status"] == "scored")  # fmt: skip
    assert scored["score"]["job_fit_score"] == 82


def test_rescore_keeps_the_earlier_score_and_redelivery_changes_nothing(scoring_host, gemini):
    answers = ["Five years", "Kubernetes operators"]
    gemini.enqueue(verdict_json(verdict_for(answers)))
    interview = complete_interview(scoring_host, "+14155550203", answers)
    scoring_host.wait_for(lambda: scoring_host.api("GET", f"/api/interviews/{interview['id']}"),
                          lambda d: d["score"] is not None)  # fmt: skip
    rescore_verdict = {**verdict_for(answers), "job_fit_score": 64, "recommendation": "hold"}
    gemini.enqueue(verdict_json(rescore_verdict))
    response = scoring_host.request("POST", f"/api/interviews/{interview['id']}/score")
    assert response.status_code == 202
    latest = scoring_host.wait_for(lambda: scoring_host.api("GET", f"/api/interviews/{interview['id']}"),
                                   lambda d: d["score"]["request_number"] == 2)  # fmt: skip
    assert latest["score"]["job_fit_score"] == 64
    requests_before = len(gemini.requests)
    scoring_host.settle()
    assert len(gemini.requests) == requests_before  # nothing scored twice


def test_model_failing_for_a_while_then_recovering_scores_on_a_redelivery_without_replay(
    scoring_host, gemini
):
    answers = ["Eight years", "Data platform work"]
    gemini.enqueue(http_error(503), http_error(429), verdict_json(verdict_for(answers)))  # down, then back
    requests_before = len(gemini.requests)
    interview = complete_interview(scoring_host, "+14155550204", answers)
    scored = scoring_host.wait_for(lambda: scoring_host.api("GET", f"/api/interviews/{interview['id']}"),
                                   lambda d: d["score_status"] == "scored")  # fmt: skip
    assert scored["score"]["job_fit_score"] == 82 and scored["score_error"] is None
    assert len(gemini.requests) - requests_before == 3  # one per delivery: two failed, the third scored
    queues = scoring_host.session.get(scoring_host.url + "/dev/queues", timeout=10).json()["queues"]
    assert not [
        d for d in queues["interview-scoring"]["dead_letters"] if d["message_id"].startswith(interview["id"])
    ]
