from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from shared.schemas.common import ApiModel


class ResumeLink(ApiModel):
    url: str = Field(description="A read-only link to the file that stops working at expires_at.")
    expires_at: datetime
    file_name: str
    content_type: str


class CandidateErasure(ApiModel):
    candidate_id: UUID
    cancelled_interviews: list[UUID] = Field(
        description="Active interviews that were cancelled (and their orchestrations terminated) first."
    )
    erased_interviews: int = Field(description="Interviews deleted with their answers, scores and messages.")
    cleanup_pending: int = Field(
        description="Storage deletions that failed and will be retried (0 when everything is gone already)."
    )
