from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.schemas.common import ApiModel, Page, StrictModel

InterviewStatus = Literal[
    "scheduled", "in_progress", "paused", "completed", "expired", "cancelled", "opted_out", "failed"
]
ScoreStatus = Literal["none", "pending", "scored", "failed"]


class InterviewCreate(StrictModel):
    candidate_id: UUID
    job_id: UUID
    start_at: AwareDatetime | None = Field(
        None, description="When to start (ISO 8601 with offset); default now."
    )


class RescheduleRequest(StrictModel):
    start_at: AwareDatetime = Field(
        description="When to continue (ISO 8601 with offset), at most 30 days ahead."
    )


class Progress(ApiModel):
    answered: int
    total: int
    current_question: int | None = Field(description="The question awaiting an answer, if any.")


class Answer(ApiModel):
    question_position: int
    question: str = Field(description="The question as it was asked.")
    text: str = Field(description="The candidate's reply; several texts for one question are joined.")
    received_at: datetime
    struggling: bool


class QuestionScore(ApiModel):
    question_position: int
    score: int
    evidence: str = Field(description="Quoted verbatim from the candidate's answer.")
    rationale: str


class Score(ApiModel):
    job_fit_score: int
    recommendation: Literal["advance", "hold", "reject"]
    summary: str
    scorer: str = Field(description="gemini, local (the rule-based stand-in) or rule (knockout).")
    model: str | None
    prompt_version: str
    request_number: int
    questions: list[QuestionScore]
    strengths: list[str]
    concerns: list[str]
    scored_at: datetime


class Interview(ApiModel):
    id: UUID
    candidate_id: UUID
    job_id: UUID
    status: InterviewStatus
    progress: Progress
    answers: list[Answer]
    scheduled_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    ended_at: datetime | None
    resume_at: datetime | None = Field(description="While paused: when the interview continues.")
    reschedule_count: int
    reminders_sent: int
    struggled: bool
    knocked_out: bool
    flags: list[str]
    end_reason: str | None
    score_status: ScoreStatus
    score_error: str | None
    score: Score | None = Field(description="The latest score; null until scored.")
    created_at: datetime
    updated_at: datetime


class InterviewSummary(ApiModel):
    id: UUID
    candidate_id: UUID
    job_id: UUID
    status: InterviewStatus
    progress: Progress
    score_status: ScoreStatus
    scheduled_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    created_at: datetime


class InterviewPage(Page):
    items: list[InterviewSummary]


class Message(ApiModel):
    direction: Literal["in", "out"]
    sid: str
    body: str
    status: str
    error_code: int | None = None
    kind: str | None = None
    question_position: int | None = None
    created_at: datetime
    updated_at: datetime | None = None


class MessageList(ApiModel):
    items: list[Message]


def score_from_row(row: dict[str, Any]) -> Score:
    details = row["details"] or {}
    return Score(
        job_fit_score=row["job_fit_score"],
        recommendation=row["recommendation"],
        summary=details.get("summary", ""),
        scorer=row["scorer"],
        model=row["model"],
        prompt_version=row["prompt_version"],
        request_number=row["request_number"],
        questions=[QuestionScore(**q) for q in details.get("questions", [])],
        strengths=details.get("strengths", []),
        concerns=details.get("concerns", []),
        scored_at=row["created_at"],
    )
