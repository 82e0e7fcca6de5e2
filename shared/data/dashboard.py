"""SQL behind the dashboard: the rollups kept by migration 0003 and a few index-backed live figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

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


def cohorts_by_job(
    cur: RealDictCursor, job_id: UUID | None, whole_days: DayRange | None, partial_ranges: list[TimeRange]
) -> list[dict[str, Any]]:
    """Per job with interviews in the window: the cohort counters summed over the window.

    Whole UTC days come from the rollup; partial days (a window edge that is not midnight) are computed
    from the interviews themselves with the same definitions.
    """
    parts: list[str] = []
    params: list[Any] = []
    columns = ", ".join(COHORT_COLUMNS)
    if whole_days is not None:
        conditions = ["TRUE"]
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
        parts.append(f"SELECT job_id, {columns} FROM dashboard_cohorts WHERE {' AND '.join(conditions)}")
    for since, until in partial_ranges:
        parts.append(f"SELECT job_id, {columns} FROM dashboard_cohort_facts(%s, %s, %s::uuid)")
        params.extend([since, until, str(job_id) if job_id else None])
    if not parts:
        return []
    sums = ", ".join(f"sum(p.{c})::bigint AS {c}" for c in COHORT_COLUMNS)
    cur.execute(
        f"SELECT p.job_id, j.title, j.status AS job_status, {sums} "
        f"FROM ({' UNION ALL '.join(parts)}) p JOIN jobs j ON j.id = p.job_id "
        "GROUP BY p.job_id, j.title, j.status HAVING sum(p.invited) > 0 "
        "ORDER BY sum(p.invited) DESC, j.title, p.job_id",
        params,
    )
    return list(cur.fetchall())


def median_completion_seconds(
    cur: RealDictCursor, job_id: UUID | None, since: datetime | None, until: datetime | None
) -> float | None:
    """Median of completed_at - started_at over completed interviews created in [since, until)."""
    conditions = ["status = 'completed'", "started_at IS NOT NULL", "completed_at IS NOT NULL"]
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
        "SELECT percentile_cont(0.5) WITHIN GROUP "
        "(ORDER BY extract(epoch FROM completed_at - started_at)) AS median "
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
