"""The result recorded for an interview that ended at a knockout question: a reject, decided by the rule,
with no model call."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.scoring.models import (
    EVIDENCE_MAX_CHARS,
    POINT_MAX_CHARS,
    RATIONALE_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    QuestionVerdict,
    ScoreResult,
    ScoringInput,
    Verdict,
)

KNOCKOUT_RULES_VERSION = "1"
KNOCKOUT_SCORER_VERSION = f"rule:knockout-{KNOCKOUT_RULES_VERSION}"


def clip(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters, at a word boundary when there is one; a prefix of the text."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip()


def knockout_result(scoring_input: ScoringInput) -> ScoreResult:
    """Reject with the knockout reason; every question scores 0 (the knockout answer is the evidence)."""
    knockout = scoring_input.knocked_out
    if knockout is None:
        raise ValueError("knockout_result needs an input with knocked_out set")
    position, reason = knockout.question_position, knockout.reason.strip() or "knockout answer"

    entries = []
    for question in scoring_input.ordered_questions:
        answer = scoring_input.answer_to(question.position)
        if question.position == position:
            evidence = clip(answer.text, EVIDENCE_MAX_CHARS) if answer else ""
            rationale = f"Knockout question not passed: {reason}"
        else:
            evidence = ""
            rationale = f"Not scored: the interview was decided by knockout question {position}."
        entries.append(
            QuestionVerdict(
                question_position=question.position,
                score=0,
                evidence=evidence,
                rationale=clip(rationale, RATIONALE_MAX_CHARS),
            )
        )

    verdict = Verdict(
        job_fit_score=0,
        recommendation="reject",
        summary=clip(
            f"Rejected by the knockout rule at question {position}: {reason}. No AI model was asked.",
            SUMMARY_MAX_CHARS,
        ),
        questions=entries,
        strengths=[],
        concerns=[clip(f"Knockout at question {position}: {reason}", POINT_MAX_CHARS)],
    )
    return ScoreResult(
        interview_id=scoring_input.interview_id,
        verdict=verdict,
        scorer="rule",
        model=None,
        prompt_version=None,
        scorer_version=KNOCKOUT_SCORER_VERSION,
        latency_ms=0,
        attempts=0,
        scored_at=datetime.now(UTC),
    )
