"""Pipeline figures for the dashboard (definitions: docs/dashboard.md).

The window (`from`/`to`) selects interviews by their created_at: every figure except `active_sessions`
and `daily` describes the interviews created in it, as they are now. Counts come from the rollups that
migration 0003 keeps up to date, so a request reads a few rows per job and day rather than every
interview; only the median time to complete reads interviews, from an index that covers it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from shared.data import dashboard as store
from shared.db import transaction
from shared.errors import NotFound, ValidationFailed
from shared.schemas.dashboard import (
    DailyActivity,
    Dashboard,
    DashboardWindow,
    Funnel,
    InterviewsByStatus,
    JobFigures,
    ScoreBucket,
)

DAILY_DAYS = 30
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMAT_HINT = "must be an ISO 8601 date (2026-01-31) or date-time (2026-01-31T09:00:00Z)"
_ONE_MICROSECOND = timedelta(microseconds=1)
# Bounds far enough inside datetime's years 1-9999 that the window's arithmetic (a day either side, the
# 30 days of activity before its end) cannot overflow.
_EARLIEST, _LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _parse_bound(raw: str, field: str) -> tuple[datetime, bool]:
    """The instant `raw` names (UTC) and whether it was a bare date."""
    try:
        if _DATE_ONLY.match(raw):
            instant, is_date = _midnight(date.fromisoformat(raw)), True
        else:
            instant, is_date = datetime.fromisoformat(raw), False
            if instant.tzinfo is None:  # no offset: read as UTC
                instant = instant.replace(tzinfo=UTC)
            instant = instant.astimezone(UTC)
    except ValueError:
        hint = " (encode '+' in a URL as %2B)" if " " in raw else ""
        raise ValidationFailed.single(field, _FORMAT_HINT + hint) from None
    except OverflowError:  # an offset that moves the instant past year 9999
        raise ValidationFailed.single(field, "is out of range") from None
    if not _EARLIEST <= instant < _LATEST:
        raise ValidationFailed.single(field, "is out of range (years 1900 to 8999)")
    return instant, is_date


def parse_window(from_raw: str | None, to_raw: str | None) -> tuple[datetime | None, datetime | None]:
    """[since, until) from the query: a `from` date is its midnight; a `to` date includes that whole day."""
    since = _parse_bound(from_raw, "from")[0] if from_raw else None
    until: datetime | None = None
    last_included: datetime | None = None
    if to_raw:
        instant, is_date = _parse_bound(to_raw, "to")
        try:
            until = instant + timedelta(days=1) if is_date else instant
        except OverflowError:
            raise ValidationFailed.single("to", "is out of range") from None
        last_included = until - _ONE_MICROSECOND if is_date else until
    if since is not None and last_included is not None and since > last_included:
        raise ValidationFailed.single("to", "must not be before from")
    return since, until


def split_window(
    since: datetime | None, until: datetime | None
) -> tuple[store.DayRange | None, list[store.TimeRange]]:
    """The window as whole UTC days (read from the rollup) plus partial days at its edges (computed live)."""
    first_whole = None
    if since is not None:
        first_whole = since.date() if since == _midnight(since.date()) else since.date() + timedelta(days=1)
    end_whole = until.date() if until is not None else None
    if first_whole is not None and end_whole is not None and first_whole >= end_whole:
        # Less than one whole day: all of it is partial.
        assert since is not None and until is not None
        return None, ([(since, until)] if since < until else [])
    partial: list[store.TimeRange] = []
    if since is not None and first_whole is not None and since < _midnight(first_whole):
        partial.append((since, _midnight(first_whole)))
    if until is not None and end_whole is not None and _midnight(end_whole) < until:
        partial.append((_midnight(end_whole), until))
    return (first_whole, end_whole), partial


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def _totals(rows: Iterable[dict]) -> dict[str, int]:
    columns = store.COHORT_COLUMNS
    per_column = zip(*([row[c] for c in columns] for row in rows), strict=True)
    return dict.fromkeys(columns, 0) | {
        c: int(sum(values)) for c, values in zip(columns, per_column, strict=False)
    }


def _histogram(totals: dict[str, int]) -> list[ScoreBucket]:
    buckets = []
    for index, column in enumerate(store.SCORE_BUCKET_COLUMNS):
        low = index * 10
        buckets.append(ScoreBucket(min=low, max=100 if low == 90 else low + 9, count=totals[column]))
    return buckets


def _job_figures(row: dict) -> JobFigures:
    return JobFigures(
        job_id=row["job_id"],
        title=row["title"],
        job_status=row["job_status"],
        invited=row["invited"],
        started=row["started"],
        completed=row["completed"],
        scored=row["scored"],
        recommended_to_advance=row["advance"],
        completion_rate=_rate(row["completed"], row["started"]),
        average_job_fit_score=_average(row["score_sum"], row["scored"]),
    )


def _median_completion_seconds(
    cur: Any,
    job_id: UUID | None,
    since: datetime | None,
    until: datetime | None,
    whole_days: store.DayRange | None,
    partial: list[store.TimeRange],
) -> float | None:
    """The exact median time to complete, as percentile_cont(0.5) would give it.

    One job's completions are few: they are read directly. Across all jobs, the per-day duration histogram
    gives the count and the bucket of each middle rank, and only that bucket's interviews are read.
    """
    if job_id is not None:
        return store.median_completion_seconds(cur, job_id, since, until)
    histogram = store.completion_histogram(cur, whole_days, partial)
    total = sum(histogram.values())
    if total == 0:
        return None
    values = []
    for rank in sorted({(total - 1) // 2, total // 2}):
        below = 0
        for bucket in sorted(histogram):
            if rank < below + histogram[bucket]:
                values.append(store.completion_seconds_in_bucket(cur, bucket, rank - below, since, until))
                break
            below += histogram[bucket]
    if len(values) == 0 or any(v is None for v in values):  # the rollup disagrees: compute it directly
        return store.median_completion_seconds(cur, None, since, until)
    if len(values) == 1:
        return values[0]
    return (values[0] + values[1]) / 2


def get_dashboard(job_id: UUID | None, from_raw: str | None, to_raw: str | None) -> Dashboard:
    since, until = parse_window(from_raw, to_raw)
    whole_days, partial = split_window(since, until)
    with transaction() as cur:
        now = store.begin_snapshot(cur)
        if job_id is not None and store.job(cur, job_id) is None:
            raise NotFound(f"no job with id {job_id}")
        rows = store.cohorts_by_job(cur, job_id, whole_days, partial)
        median = _median_completion_seconds(cur, job_id, since, until, whole_days, partial)
        active = store.active_sessions(cur, job_id)
        last_day = (until - _ONE_MICROSECOND).astimezone(UTC).date() if until else now.astimezone(UTC).date()
        first_day = last_day - timedelta(days=DAILY_DAYS - 1)
        activity = store.daily_activity(cur, job_id, first_day, last_day)

    totals = _totals(rows)
    daily = []
    for offset in range(DAILY_DAYS):
        day = first_day + timedelta(days=offset)
        found = activity.get(day)
        daily.append(
            DailyActivity(
                date=day,
                invited=found["invited"] if found else 0,
                started=found["started"] if found else 0,
                completed=found["completed"] if found else 0,
            )
        )
    return Dashboard(
        generated_at=now,
        window=DashboardWindow(job_id=job_id, from_=since, to=until),
        interviews_by_status=InterviewsByStatus(**{s: totals[s] for s in store.STATUS_COLUMNS}),
        active_sessions=active,
        completion_rate=_rate(totals["completed"], totals["started"]),
        average_job_fit_score=_average(totals["score_sum"], totals["scored"]),
        score_histogram=_histogram(totals),
        struggling_rate=_rate(totals["struggled"], totals["started"]),
        reschedule_rate=_rate(totals["rescheduled"], totals["started"]),
        opt_out_rate=_rate(totals["opted_out"], totals["invited"]),
        expiry_rate=_rate(totals["expired"], totals["started"]),
        knocked_out=totals["knocked_out"],
        median_time_to_complete_seconds=None if median is None else round(median, 1),
        funnel=Funnel(
            invited=totals["invited"],
            started=totals["started"],
            completed=totals["completed"],
            scored=totals["scored"],
            recommended_to_advance=totals["advance"],
        ),
        jobs=[_job_figures(row) for row in rows],
        daily=daily,
    )
