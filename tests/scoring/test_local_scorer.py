"""LocalScorer: deterministic, explainable, grounded; and the scorer selection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.scoring import (
    KNOCKOUT_SCORER_VERSION,
    GeminiScorer,
    LocalScorer,
    Scorer,
    knockout_result,
    make_scorer,
    scorer_version_for,
    verify_evidence,
)
from shared.scoring.local import ADVANCE_AT, HOLD_AT, content_terms, stem
from tests.fakes.fake_gemini import FakeGemini
from tests.scoring.samples import STRONG_ANSWERS, WEAK_ANSWERS, interview

ROOT = Path(__file__).resolve().parents[2]


def _score(answers: list[dict], **kwargs: object) -> tuple[int, list[int]]:
    verdict = LocalScorer().score(interview(answers, **kwargs)).verdict  # type: ignore[arg-type]
    return verdict.job_fit_score, [q.score for q in verdict.questions]


def test_stemming_conflates_word_forms_and_drops_stop_words() -> None:
    assert {stem("managing"), stem("manager"), stem("management"), stem("manage")} == {"manag"}
    assert stem("queries") == stem("query") and stem("classes") == stem("class") == "class"
    assert content_terms("I have been writing C++ and C# for the Databases team") == [
        "writ",
        "c++",
        "c#",
        "databas",
        "team",
    ]


def test_same_input_gives_the_same_verdict() -> None:
    scorer = LocalScorer()
    assert scorer.score(interview()).verdict == scorer.score(interview()).verdict
    assert (
        LocalScorer().score(interview(WEAK_ANSWERS)).verdict == scorer.score(interview(WEAK_ANSWERS)).verdict
    )


def test_verdict_does_not_depend_on_hash_seed() -> None:
    # Sets of words are involved; their iteration order varies with PYTHONHASHSEED and must not matter.
    code = (
        "from shared.scoring import LocalScorer\n"
        "from tests.scoring.samples import interview, WEAK_ANSWERS\n"
        "print(LocalScorer().score(interview()).verdict.model_dump_json())\n"
        "print(LocalScorer().score(interview(WEAK_ANSWERS)).verdict.model_dump_json())\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_strong_candidate_outscores_weak_candidate() -> None:
    strong_fit, strong_questions = _score(STRONG_ANSWERS)
    weak_fit, weak_questions = _score(WEAK_ANSWERS)
    assert strong_fit >= ADVANCE_AT > HOLD_AT > weak_fit
    assert all(s >= w for s, w in zip(strong_questions, weak_questions, strict=True))
    assert sum(strong_questions) > sum(weak_questions) + 15


def test_struggling_lowers_the_question_and_the_fit() -> None:
    struggling = [dict(a, struggling=True) if a["question_position"] == 3 else a for a in STRONG_ANSWERS]
    base_fit, base_questions = _score(STRONG_ANSWERS)
    fit, questions = _score(struggling)
    assert questions[2] == base_questions[2] - 3
    assert questions[:2] == base_questions[:2] and questions[3] == base_questions[3]
    assert fit < base_fit


def test_skipped_question_scores_zero_and_lowers_the_fit() -> None:
    skipped = [a for a in STRONG_ANSWERS if a["question_position"] != 4]
    base_fit, _ = _score(STRONG_ANSWERS)
    fit, questions = _score(skipped)
    result = LocalScorer().score(interview(skipped))
    assert questions[3] == 0 and result.verdict.questions[3].evidence == ""
    assert fit < base_fit
    assert "Question 4 was not answered" in result.verdict.concerns


def test_resume_counts_towards_requirement_coverage_only() -> None:
    with_resume, questions_with = _score(WEAK_ANSWERS)
    without_resume, questions_without = _score(WEAK_ANSWERS, resume_text=None)
    assert questions_with == questions_without
    assert with_resume > without_resume


@pytest.mark.parametrize("answers", [STRONG_ANSWERS, WEAK_ANSWERS, STRONG_ANSWERS[1:3], []])
def test_evidence_is_verbatim_and_rationale_explains_the_score(answers: list[dict]) -> None:
    scoring_input = interview(answers)
    verdict = LocalScorer().score(scoring_input).verdict
    assert verify_evidence(verdict, scoring_input) == []
    for entry in verdict.questions:
        assert entry.rationale.endswith(f"{entry.score}/10.")
        if scoring_input.answer_to(entry.question_position):
            assert entry.evidence


def test_evidence_is_the_best_matching_sentence() -> None:
    answer = "Hi there. I read the query plan with EXPLAIN ANALYZE and add an index. Thanks!"
    verdict = LocalScorer().score(interview([{"question_position": 3, "text": answer}])).verdict
    assert verdict.questions[2].evidence == "I read the query plan with EXPLAIN ANALYZE and add an index."


def test_result_says_it_is_local_and_recommendation_follows_thresholds() -> None:
    for answers in (STRONG_ANSWERS, WEAK_ANSWERS, STRONG_ANSWERS[:2]):
        result = LocalScorer().score(interview(answers))
        verdict = result.verdict
        assert (result.scorer, result.model, result.prompt_version) == ("local", "local-rules", None)
        assert "local rule-based scorer" in verdict.summary and "not by Gemini" in verdict.summary
        fit = verdict.job_fit_score
        expected = "advance" if fit >= ADVANCE_AT else "hold" if fit >= HOLD_AT else "reject"
        assert verdict.recommendation == expected


def test_knockout_rejects_with_the_reason_and_quotes_the_answer() -> None:
    scoring_input = interview(
        [{"question_position": 1, "text": "No, I would need sponsorship"}],
        knocked_out={"question_position": 1, "reason": "needs visa sponsorship"},
    )
    for result in (knockout_result(scoring_input), LocalScorer().score(scoring_input)):
        verdict = result.verdict
        assert (result.scorer, result.scorer_version, result.attempts) == ("rule", KNOCKOUT_SCORER_VERSION, 0)
        assert (verdict.recommendation, verdict.job_fit_score) == ("reject", 0)
        assert "needs visa sponsorship" in verdict.summary
        assert verdict.questions[0].evidence == "No, I would need sponsorship"
        assert verify_evidence(verdict, scoring_input) == []


def test_knockout_result_needs_a_knockout() -> None:
    with pytest.raises(ValueError, match="knocked_out"):
        knockout_result(interview())


def test_make_scorer_uses_gemini_only_with_a_key() -> None:
    assert isinstance(make_scorer(None), LocalScorer)
    assert isinstance(make_scorer("  "), LocalScorer)
    with FakeGemini() as fake:
        scorer = make_scorer(fake.api_key, model="gemini-2.5-pro", base_url=fake.base_url, timeout_s=5)
        try:
            assert isinstance(scorer, GeminiScorer) and isinstance(scorer, Scorer)
            assert scorer.model == "gemini-2.5-pro"
        finally:
            scorer.close()


def test_scorer_version_for_a_knockout_is_the_rule_version() -> None:
    scorer = LocalScorer()
    knocked = interview(knocked_out={"question_position": 1, "reason": "no"})
    assert (
        scorer_version_for(scorer, interview())
        == scorer.scorer_version
        == scorer.score(interview()).scorer_version
    )
    assert (
        scorer_version_for(scorer, knocked) == KNOCKOUT_SCORER_VERSION == scorer.score(knocked).scorer_version
    )
