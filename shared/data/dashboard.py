"""SQL behind the dashboard: the rollups kept by migration 0003 and a few index-backed live figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:  # psycopg2 is imported on first database use, not at cold start
    from psycopg2.extras import RealDictCursor


# The counters of dashboard_cohorts, in table order (see 0003_dashboard.sql for what each counts).
STATUS_COLUMNS = (
    "scheduled",
    "in_progress",
    "paused",
    "completed",
    "expired",
    "cancelled",
    "opted_out",
    "failed",
)
SCORE_BUCKET_COLUMNS = (
    "score_0_9",
    "score_10_19",
    "score_20_29",
    "score_30_39",
    "score_40_49",
    "score_50_59",
    "score_60_69",
    "score_70_79",
    "score_80_89",
    "score_90_100",
)
COHORT_COLUMNS = (
    "invited",
    *STATUS_COLUMNS,
    "started",
    "struggled",
    "rescheduled",
    "knocked_out",
    "scored",
    "score_sum",
    "advance",
    "hold",
    "reject",
    *SCORE_BUCKET_COLUMNS,
)

DayRange = tuple[date | None, date | None]  # [first, end) of whole UTC days; None = unbounded
TimeRange = tuple[datetime, datetime]  # [since, until)


def begin_snapshot(cur: RealDictCursor) -> datetime:
    """Make every following query of this transaction read one snapshot; return the database's clock."""
    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    cur.execute("SELECT now() AS now")
    return cur.fetchone()["now"]


def job(cur: RealDictCursor, job_id: UUID) -> dict | None:
    cur.execute("SELECT id, title, status FROM jobs WHERE id = %s", (str(job_id),))
    return cur.fetchone()


def _day_conditions(whole_days: DayRange, job_id: UUID | None = None) -> tuple[str, list[Any]]:
    conditions = ["TRUE"]
    params: list[Any] = []
    first, end = whole_days
    if first is not None:
        conditions.append("day >= %s")
        params.append(first)
    if end is not None:
        conditions.append("day < %s")
        params.append(end)
    if job_id is not None:
        conditions.append("job_id = %s")
        params.append(str(job_id))
    return " AND ".join(conditions), params


def cohorts_by_job(
    cur: RealDictCursor, job_id: UUID | None, whole_days: DayRange | None, partial_ranges: list[TimeRange]
) -> list[dict[str, Any]]:
    """Per job with interviews in the window: the cohort counters summed over the window, most invited first.

    Whole UTC days come from the rollup; partial days (a window edge that is not midnight) are computed
    from the interviews themselves with the same definitions.
    """
    parts: list[str] = []
    params: list[Any] = []
    columns = ", ".join(COHORT_COLUMNS)
    if whole_days is not None:
        where, where_params = _day_conditions(whole_days, job_id)
        parts.append(f"SELECT job_id, {columns} FROM dashboard_cohorts WHERE {where}")
        params.extend(where_params)
    for since, until in partial_ranges:
        parts.append(f"SELECT job_id, {columns} FROM dashboard_cohort_facts(%s, %s, %s::uuid)")
        params.extend([since, until, str(job_id) if job_id else None])
    if not parts:
        return []
    sums = ", ".join(f"sum({c})::bigint AS {c}" for c in COHORT_COLUMNS)
    # A plain cursor: building a RealDict per row and column costs more than the query at 200 jobs.
    with cur.connection.cursor() as plain:
        plain.execute(
            f"SELECT t.*, j.title, j.status AS job_status FROM ("
            f"SELECT job_id, {sums} FROM ({' UNION ALL '.join(parts)}) p GROUP BY job_id "
            "HAVING sum(invited) > 0) t JOIN jobs j ON j.id = t.job_id ORDER BY t.invited DESC, j.title, t.job_id",
            params,
        )
        names = [column.name for column in plain.description]
        return [dict(zip(names, row, strict=True)) for row in plain.fetchall()]


_COMPLETION_SECONDS = "date_part('epoch', completed_at - started_at)"
_TIMED_COMPLETION = "status = 'completed' AND started_at IS NOT NULL AND completed_at IS NOT NULL"


def completion_histogram(
    cur: RealDictCursor, whole_days: DayRange | None, partial_ranges: list[TimeRange]
) -> dict[int, int]:
    """Completed interviews created in the window (all jobs), counted per duration bucket."""
    parts: list[str] = []
    params: list[Any] = []
    if whole_days is not None:
        where, where_params = _day_conditions(whole_days)
        parts.append(f"SELECT bucket, completions FROM dashboard_completion_times WHERE {where}")
        params.extend(where_params)
    for since, until in partial_ranges:
        parts.append(
            f"SELECT dashboard_duration_bucket({_COMPLETION_SECONDS}) AS bucket, 1 AS completions "
            f"FROM interviews WHERE {_TIMED_COMPLETION} AND created_at >= %s AND created_at < %s"
        )
        params.extend([since, until])
    if not parts:
        return {}
    cur.execute(
        f"SELECT bucket, sum(completions)::bigint AS n FROM ({' UNION ALL '.join(parts)}) p "
        "GROUP BY bucket HAVING sum(completions) <> 0",
        params,
    )
    return {row["bucket"]: row["n"] for row in cur.fetchall()}


def completion_seconds_in_bucket(
    cur: RealDictCursor, bucket: int, offset: int, since: datetime | None, until: datetime | None
) -> float | None:
    """The `offset`-th shortest time to complete (0-based) among the window's completions in `bucket`."""
    conditions = [_TIMED_COMPLETION, f"dashboard_duration_bucket({_COMPLETION_SECONDS}) = %s"]
    params: list[Any] = [bucket]
    if since is not None:
        conditions.append("created_at >= %s")
        params.append(since)
    if until is not None:
        conditions.append("created_at < %s")
        params.append(until)
    params.append(offset)
    cur.execute(
        f"SELECT {_COMPLETION_SECONDS} AS seconds FROM interviews WHERE {' AND '.join(conditions)} "
        "ORDER BY 1 OFFSET %s LIMIT 1",
        params,
    )
    row = cur.fetchone()
    return None if row is None else float(row["seconds"])


def median_completion_seconds(
    cur: RealDictCursor, job_id: UUID | None, since: datetime | None, until: datetime | None
) -> float | None:
    """Median time to complete computed directly: for one job (few rows), or as a fallback."""
    conditions = [_TIMED_COMPLETION]
    params: list[Any] = []
    if job_id is not None:
        conditions.append("job_id = %s")
        params.append(str(job_id))
    if since is not None:
        conditions.append("created_at >= %s")
        params.append(since)
    if until is not None:
        conditions.append("created_at < %s")
        params.append(until)
    cur.execute(
        f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {_COMPLETION_SECONDS}) AS median "
        f"FROM interviews WHERE {' AND '.join(conditions)}",
        params,
    )
    median = cur.fetchone()["median"]
    return None if median is None else float(median)


def active_sessions(cur: RealDictCursor, job_id: UUID | None) -> int:
    """Interviews in progress or paused right now, whenever they were created."""
    query = "SELECT count(*) AS n FROM interviews WHERE status IN ('in_progress', 'paused')"
    params: list[Any] = []
    if job_id is not None:
        query += " AND job_id = %s"
        params.append(str(job_id))
    cur.execute(query, params)
    return cur.fetchone()["n"]


def daily_activity(cur: RealDictCursor, job_id: UUID | None, first: date, last: date) -> dict[date, dict]:
    """Interviews created, started and completed on each UTC day of [first, last] (days with none left out)."""
    query = (
        "SELECT day, sum(invited)::bigint AS invited, sum(started)::bigint AS started, "
        "sum(completed)::bigint AS completed FROM dashboard_daily_activity WHERE day BETWEEN %s AND %s"
    )
    params: list[Any] = [first, last]
    if job_id is not None:
        query += " AND job_id = %s"
        params.append(str(job_id))
    cur.execute(query + " GROUP BY day", params)
    return {row["day"]: row for row in cur.fetchall()}
