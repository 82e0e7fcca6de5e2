from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.schemas.common import ApiModel, Page, StrictModel

_EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"


class CandidateCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(
        min_length=3, max_length=32, description="E.164, or national format in the default region."
    )
    email: str | None = Field(None, max_length=254, pattern=_EMAIL)
    job_id: UUID | None = Field(None, description="The job the candidate applied for.")
    sms_consent: bool = Field(False, description="The candidate agreed to be interviewed by SMS.")


class CandidateUpdate(StrictModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, min_length=3, max_length=32)
    email: str | None = Field(None, max_length=254, pattern=_EMAIL)
    job_id: UUID | None = None
    sms_consent: bool | None = None


class ResumeInfo(ApiModel):
    file_name: str
    content_type: str
    size_bytes: int
    pages: int | None
    text_status: Literal["ok", "empty", "failed"]
    text_reason: str | None
    uploaded_at: datetime


class Candidate(ApiModel):
    id: UUID
    name: str
    phone: str = Field(description="E.164")
    email: str | None
    job_id: UUID | None
    sms_consent: bool
    consent_at: datetime | None
    opted_out: bool = Field(description="The number texted STOP; nothing is sent to it until START.")
    opted_out_at: datetime | None
    resume: ResumeInfo | None
    created_at: datetime
    updated_at: datetime


class CandidatePage(Page):
    items: list[Candidate]
