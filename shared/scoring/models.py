"""Data shapes of the scoring core: what goes in (ScoringInput), what the model must return (Verdict) and
what gets stored (ScoreResult).

Verdict doubles as the `response_schema` sent to Gemini, so it only uses constructs that the SDK turns into
Gemini's OpenAPI subset: plain types, nested objects, lists, Literal (enum), ge/le (minimum/maximum),
max_length (maxLength/maxItems) and descriptions. No defaults, no extra="forbid" (additionalProperties),
no unions other than Optional; tests check the schema that actually goes over the wire.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

# Bounds on the model's output. They keep stored verdicts small and tell the model how much to write.
SUMMARY_MAX_CHARS = 1200
EVIDENCE_MAX_CHARS = 500
RATIONALE_MAX_CHARS = 600
POINT_MAX_CHARS = 300
POINTS_MAX_ITEMS = 8

Recommendation = Literal["advance", "hold", "reject"]
ScorerKind = Literal["gemini", "local", "rule"]


# --- input ---------------------------------------------------------------------------------------------


class JobSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    description: str = ""
    requirements: list[str] = Field(default_factory=list)

    @field_validator("requirements", mode="before")
    @classmethod
    def _split_requirements_text(cls, value: Any) -> Any:
        """Accept the requirements as free text (one per line, bullets allowed) as well as a list."""
        if value is None:
            return []
        if isinstance(value, str):
            lines = (
                re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s*", "", line).strip() for line in value.splitlines()
            )
            return [line for line in lines if line]
        return value


class InterviewQuestion(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int = Field(ge=0)
    text: str
    ideal_answer: str | None = None
    knockout: bool = False
    expected_answer: str | None = None


class CandidateAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    question_position: int = Field(ge=0)
    text: str  # all the SMS replies to this question, joined
    struggling: bool = False


class KnockoutOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    question_position: int = Field(ge=0)
    reason: str


class ScoringInput(BaseModel):
    """Everything the scorers need about one finished interview; built by the caller from the database."""

    model_config = ConfigDict(frozen=True)

    interview_id: str
    job: JobSpec
    questions: list[InterviewQuestion] = Field(min_length=1)
    answers: list[CandidateAnswer] = Field(default_factory=list)
    resume_text: str | None = None
    knocked_out: KnockoutOutcome | None = None

    @field_validator("interview_id", mode="before")
    @classmethod
    def _interview_id_as_text(cls, value: Any) -> Any:
        # The database may hand us a UUID or an int; the scorers only ever print it.
        return value if isinstance(value, str) else str(value)

    @model_validator(mode="after")
    def _positions_are_consistent(self) -> ScoringInput:
        positions = [q.position for q in self.questions]
        if len(set(positions)) != len(positions):
            raise ValueError(f"question positions must be unique, got {positions}")
        answered = [a.question_position for a in self.answers]
        if len(set(answered)) != len(answered):
            raise ValueError(f"at most one answer per question, got positions {answered}")
        unknown = sorted(set(answered) - set(positions))
        if unknown:
            raise ValueError(f"answers refer to questions that were not asked: {unknown}")
        if self.knocked_out is not None and self.knocked_out.question_position not in positions:
            raise ValueError(f"knockout refers to unknown question {self.knocked_out.question_position}")
        return self

    @property
    def ordered_questions(self) -> list[InterviewQuestion]:
        return sorted(self.questions, key=lambda q: q.position)

    def answer_to(self, position: int) -> CandidateAnswer | None:
        """The candidate's answer to a question, or None when the question was skipped or left blank."""
        for answer in self.answers:
            if answer.question_position == position:
                return answer if answer.text.strip() else None
        return None


# --- output: the verdict the model returns ---------------------------------------------------------------

Point = Annotated[str, StringConstraints(max_length=POINT_MAX_CHARS)]


class QuestionVerdict(BaseModel):
    question_position: int = Field(ge=0, description="Position of the question being scored.")
    score: int = Field(ge=0, le=10, description="0-10. 0 when the question was not answered.")
    evidence: str = Field(
        max_length=EVIDENCE_MAX_CHARS,
        description=(
            "One contiguous passage copied verbatim from the candidate's answer to this question that "
            "supports the score; empty string when the question was not answered."
        ),
    )
    rationale: str = Field(max_length=RATIONALE_MAX_CHARS, description="Why this score, briefly.")


class Verdict(BaseModel):
    job_fit_score: int = Field(ge=0, le=100, description="Overall fit of the candidate for the job, 0-100.")
    recommendation: Recommendation = Field(description="advance, hold or reject.")
    summary: str = Field(
        min_length=1, max_length=SUMMARY_MAX_CHARS, description="A few sentences for the recruiter."
    )
    questions: list[QuestionVerdict] = Field(description="Exactly one entry per question asked.")
    strengths: list[Point] = Field(max_length=POINTS_MAX_ITEMS, description="Job-relevant strengths.")
    concerns: list[Point] = Field(max_length=POINTS_MAX_ITEMS, description="Job-relevant concerns.")


# --- stored result ---------------------------------------------------------------------------------------


class ScoreResult(BaseModel):
    """A verdict plus where it came from. (interview_id, scorer_version) is the idempotency key."""

    interview_id: str
    verdict: Verdict
    scorer: ScorerKind
    model: str | None = Field(description="Model asked (gemini) or rule set name (local/rule).")
    model_version: str | None = None  # as reported by the API, e.g. a dated snapshot
    prompt_version: str | None = None  # None when no prompt was involved
    scorer_version: str
    latency_ms: int = Field(ge=0)
    attempts: int = Field(ge=0, description="Model requests made (1, or 2 after a re-ask); 0 if none.")
    input_tokens: int | None = None
    output_tokens: int | None = None
    scored_at: datetime
