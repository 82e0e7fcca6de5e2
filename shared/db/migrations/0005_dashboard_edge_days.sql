-- The partial days at the edges of a date-time window are computed from the interviews themselves
-- (dashboard_cohort_facts), so their cost grows with one day's volume. The first version called the
-- per-interview definitions as a function scan per row; building each row as one composite value instead
-- (evaluated once per interview, then expanded) does the same work in about 60% of the time at 100,000
-- interviews (docs/benchmarks.md, "Dashboard"). Same definitions, same result.
CREATE OR REPLACE FUNCTION dashboard_cohort_facts(since timestamptz, until timestamptz, job uuid)
    RETURNS SETOF dashboard_cohorts
    LANGUAGE sql STABLE
AS $$
    SELECT (facts.row).* FROM (
        SELECT dashboard_interview_delta(i, 1) AS row
        FROM interviews i
        WHERE i.created_at >= since AND i.created_at < until AND (job IS NULL OR i.job_id = job)
        UNION ALL
        SELECT dashboard_score_delta(i.job_id, i.created_at, cur.job_fit_score, cur.recommendation, 1)
        FROM interviews i
        CROSS JOIN LATERAL (
            SELECT s.job_fit_score, s.recommendation FROM scores s
            WHERE s.interview_id = i.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1
        ) cur
        WHERE i.created_at >= since AND i.created_at < until AND (job IS NULL OR i.job_id = job)
        OFFSET 0  -- keeps each composite evaluated once, not once per column it is expanded into
    ) facts
$$;
