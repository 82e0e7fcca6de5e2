"""The dashboard's response. Every figure is defined in docs/dashboard.md; descriptions here are the short form.

Unless a field says otherwise, a figure describes the interviews *created* in the window (see `window`),
as they are now. Rates are fractions between 0 and 1, rounded to 4 decimal places, and null when their
denominator is zero.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import ConfigDict, Field

from shared.schemas.common import ApiModel


class DashboardWindow(ApiModel):
    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=True)

    job_id: UUID | None = Field(description="Only this job's interviews; null for all jobs.")
    from_: dt.datetime | None = Field(
        alias="from", description="Interviews created at or after this instant (UTC); null: no lower bound."
    )
    to: dt.datetime | None = Field(
        description="Interviews created before this instant (exclusive, UTC); null: no upper bound. "
        "A `to` given as a date is the end of that day."
    )


class InterviewsByStatus(ApiModel):
    scheduled: int
    in_progress: int
    paused: int
    completed: int = Field(description="Includes interviews ended by a knockout answer.")
    expired: int
    cancelled: int
    opted_out: int
    failed: int


class ScoreBucket(ApiModel):
    min: int = Field(description="Lowest Job Fit Score in the bucket.")
    max: int = Field(description="Highest Job Fit Score in the bucket (inclusive).")
    count: int = Field(description="Interviews whose current score falls in the bucket.")


class Funnel(ApiModel):
    invited: int = Field(description="Interviews created.")
    started: int = Field(description="Interviews whose first message was sent (started_at set).")
    completed: int = Field(description="Interviews with status completed.")
    scored: int = Field(description="Interviews with at least one score.")
    recommended_to_advance: int = Field(description="Interviews whose current score recommends advance.")


class JobFigures(ApiModel):
    job_id: UUID
    title: str
    job_status: str = Field(description="The job's status now: draft, open or closed.")
    invited: int
    started: int
    completed: int
    scored: int
    recommended_to_advance: int
    completion_rate: float | None = Field(description="completed / started.")
    average_job_fit_score: float | None = Field(description="Mean current score of scored interviews.")


class DailyActivity(ApiModel):
    date: dt.date = Field(description="A UTC day.")
    invited: int = Field(description="Interviews created that day.")
    started: int = Field(description="Interviews whose first message was sent that day.")
    completed: int = Field(description="Interviews completed that day.")


class Dashboard(ApiModel):
    generated_at: dt.datetime = Field(description="The database's clock when the figures were read.")
    window: DashboardWindow
    interviews_by_status: InterviewsByStatus
    active_sessions: int = Field(
        description="Interviews in progress or paused right now, whatever their creation date "
        "(the window does not apply; job_id does)."
    )
    completion_rate: float | None = Field(description="completed / started.")
    average_job_fit_score: float | None = Field(
        description="Mean of the current Job Fit Score over scored interviews, 2 decimal places."
    )
    score_histogram: list[ScoreBucket] = Field(
        description="Current scores in ten buckets: 0-9, 10-19, ..., 80-89, 90-100."
    )
    struggling_rate: float | None = Field(description="Interviews that hit the struggle threshold / started.")
    reschedule_rate: float | None = Field(description="Interviews rescheduled at least once / started.")
    opt_out_rate: float | None = Field(description="Interviews ended by the candidate's STOP / invited.")
    expiry_rate: float | None = Field(description="Interviews expired without an answer / started.")
    knocked_out: int = Field(description="Completed interviews that a knockout answer ended.")
    median_time_to_complete_seconds: float | None = Field(
        description="Median of completed_at - started_at over completed interviews, 1 decimal place."
    )
    funnel: Funnel
    jobs: list[JobFigures] = Field(
        description="One row per job with interviews in the window, most invited first."
    )
    daily: list[DailyActivity] = Field(
        description="30 UTC days ending on the window's last day (today when `to` is absent), oldest "
        "first. `job_id` applies; `from` does not."
    )
