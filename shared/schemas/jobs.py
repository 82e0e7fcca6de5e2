from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field, model_validator

from shared.schemas.common import HHMM, ApiModel, Page, StrictModel, TimeZoneName

JobStatus = Literal["draft", "open", "closed"]
StrugglePolicy = Literal["continue", "reschedule"]


class QuestionIn(StrictModel):
    id: UUID | None = Field(None, description="When editing a job: the existing question to keep and update.")
    text: str = Field(min_length=1, max_length=298, description="Sent by SMS: at most two message parts.")
    ideal_answer: str | None = Field(None, max_length=2000, description="What a strong answer covers.")
    knockout: bool = Field(False, description="A wrong answer to this question ends the interview.")
    expected_answer: str | None = Field(
        None, max_length=200, description='For knockout questions: "yes", "no", ">=N", "<=N" or a word.'
    )

    @model_validator(mode="after")
    def _knockout_needs_expected_answer(self) -> QuestionIn:
        if self.knockout and not self.expected_answer:
            raise ValueError("a knockout question needs expected_answer")
        return self


class Question(ApiModel):
    id: UUID
    position: int
    text: str
    ideal_answer: str | None
    knockout: bool
    expected_answer: str | None


class InterviewSettings(StrictModel):
    greeting_enabled: bool = Field(True, description="Send a greeting (who, why, how long, STOP) first.")
    answer_timeout_minutes: int = Field(
        240, ge=1, le=10080, description="Wait for an answer before a reminder."
    )
    reminder_count: int = Field(
        1, ge=0, le=5, description="Reminders per question before the interview expires."
    )
    reminder_interval_minutes: int = Field(
        240, ge=1, le=10080, description="Wait after each reminder (before the next one or expiry)."
    )
    struggle_threshold: int = Field(
        2, ge=1, le=10, description="Consecutive struggling answers that trigger the policy."
    )
    struggle_policy: StrugglePolicy = "reschedule"
    reschedule_delay_minutes: int | None = Field(
        None,
        ge=1,
        le=20160,
        description="Pause length when rescheduling; null means the next day at 10:00 local.",
    )
    max_reschedules: int = Field(1, ge=0, le=5)
    quiet_hours_start: HHMM = Field("21:00", description="No SMS from this local time...")
    quiet_hours_end: HHMM = Field("08:00", description="...until this local time.")
    timezone: TimeZoneName = Field(
        "America/New_York", description="Used when the candidate's phone number does not fix a time zone."
    )


class InterviewSettingsPatch(StrictModel):
    greeting_enabled: bool | None = None
    answer_timeout_minutes: int | None = Field(None, ge=1, le=10080)
    reminder_count: int | None = Field(None, ge=0, le=5)
    reminder_interval_minutes: int | None = Field(None, ge=1, le=10080)
    struggle_threshold: int | None = Field(None, ge=1, le=10)
    struggle_policy: StrugglePolicy | None = None
    reschedule_delay_minutes: int | None = Field(None, ge=1, le=20160)
    max_reschedules: int | None = Field(None, ge=0, le=5)
    quiet_hours_start: HHMM | None = None
    quiet_hours_end: HHMM | None = None
    timezone: TimeZoneName | None = None


class JobCreate(StrictModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    requirements: list[str] = Field(default_factory=list, max_length=50)
    status: JobStatus = "open"
    interview_settings: InterviewSettings = Field(default_factory=InterviewSettings)
    questions: list[QuestionIn] = Field(min_length=1, max_length=30)


class JobUpdate(StrictModel):
    """Only the fields present change. `questions`, when present, is the whole new list in order."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10000)
    requirements: list[str] | None = Field(None, max_length=50)
    status: JobStatus | None = None
    interview_settings: InterviewSettingsPatch | None = None
    questions: list[QuestionIn] | None = Field(None, min_length=1, max_length=30)


class Job(ApiModel):
    id: UUID
    title: str
    description: str
    requirements: list[str]
    status: JobStatus
    interview_settings: InterviewSettings
    questions: list[Question]
    created_at: datetime
    updated_at: datetime


class JobSummary(ApiModel):
    id: UUID
    title: str
    status: JobStatus
    question_count: int
    created_at: datetime
    updated_at: datetime


class JobPage(Page):
    items: list[JobSummary]
