-- Dashboard aggregates, kept up to date by triggers as interviews and scores change, so that
-- GET /api/dashboard reads a few thousand summary rows instead of scanning every interview and answer.
--
-- dashboard_cohorts: one row per job and UTC day of interviews.created_at (the cohort invited that day)
--   with counters of what those interviews are now: status counts, flags, and their current scores (the
--   latest scores row of each interview). Figures for a from/to window sum the whole days inside it; the
--   partial days at its edges are computed from the same per-interview definitions
--   (dashboard_cohort_facts), so both paths agree by construction.
-- dashboard_daily_activity: one row per job and UTC day with events that happened that day: interviews
--   created, started (first message sent) and completed.
-- dashboard_completion_times: per UTC creation day, completed interviews counted by duration bucket, for
--   an exact median that reads one bucket's interviews instead of all of them.
-- Definitions of every figure: docs/dashboard.md.
--
-- Writes stay cheap and concurrent: a trigger only runs when a column the dashboard counts changes (not on
-- every answer or reminder), and it updates the row of one job and day with an upsert, so interviews of
-- different jobs or days never wait on each other. Counters are deltas (+1/-1), which commute, so
-- concurrent transactions add up correctly.

CREATE FUNCTION dashboard_day(ts timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (ts AT TIME ZONE 'UTC')::date;

CREATE TABLE dashboard_cohorts (
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    day date NOT NULL,
    invited integer NOT NULL DEFAULT 0,
    scheduled integer NOT NULL DEFAULT 0,
    in_progress integer NOT NULL DEFAULT 0,
    paused integer NOT NULL DEFAULT 0,
    completed integer NOT NULL DEFAULT 0,
    expired integer NOT NULL DEFAULT 0,
    cancelled integer NOT NULL DEFAULT 0,
    opted_out integer NOT NULL DEFAULT 0,
    failed integer NOT NULL DEFAULT 0,
    started integer NOT NULL DEFAULT 0,       -- started_at is set
    struggled integer NOT NULL DEFAULT 0,     -- interviews.struggled
    rescheduled integer NOT NULL DEFAULT 0,   -- reschedule_count > 0
    knocked_out integer NOT NULL DEFAULT 0,
    scored integer NOT NULL DEFAULT 0,        -- has at least one scores row
    score_sum integer NOT NULL DEFAULT 0,     -- sum of current job_fit_score
    advance integer NOT NULL DEFAULT 0,       -- current recommendation
    hold integer NOT NULL DEFAULT 0,
    reject integer NOT NULL DEFAULT 0,
    score_0_9 integer NOT NULL DEFAULT 0,     -- current job_fit_score histogram, ten buckets
    score_10_19 integer NOT NULL DEFAULT 0,
    score_20_29 integer NOT NULL DEFAULT 0,
    score_30_39 integer NOT NULL DEFAULT 0,
    score_40_49 integer NOT NULL DEFAULT 0,
    score_50_59 integer NOT NULL DEFAULT 0,
    score_60_69 integer NOT NULL DEFAULT 0,
    score_70_79 integer NOT NULL DEFAULT 0,
    score_80_89 integer NOT NULL DEFAULT 0,
    score_90_100 integer NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, day)
);
CREATE INDEX dashboard_cohorts_day ON dashboard_cohorts (day);

CREATE TABLE dashboard_daily_activity (
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    day date NOT NULL,
    invited integer NOT NULL DEFAULT 0,
    started integer NOT NULL DEFAULT 0,
    completed integer NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, day)
);
CREATE INDEX dashboard_daily_activity_day ON dashboard_daily_activity (day);

-- Time to complete (completed_at - started_at) of completed interviews, in buckets 5% wide on a log scale:
-- bucket b holds durations in [1.05^b, 1.05^(b+1)) seconds (bucket 0 also holds anything under a second).
CREATE FUNCTION dashboard_duration_bucket(seconds double precision) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN floor(ln(greatest(seconds, 1)) / ln(1.05))::smallint;

CREATE FUNCTION dashboard_completion_seconds(i interviews) RETURNS double precision
    LANGUAGE sql IMMUTABLE
    RETURN CASE WHEN i.status = 'completed' THEN date_part('epoch', i.completed_at - i.started_at) END;

-- How many completed interviews created on each UTC day fall in each duration bucket. Across jobs: the
-- median over all jobs then reads a few thousand rows, finds the bucket that holds the middle rank, and
-- reads only that bucket's interviews (interviews_completed_by_duration) to get the exact value. A
-- completion updates one row (its cohort day and bucket); nothing else does.
CREATE TABLE dashboard_completion_times (
    day date NOT NULL,
    bucket smallint NOT NULL,
    completions integer NOT NULL DEFAULT 0,
    PRIMARY KEY (day, bucket)
);

CREATE INDEX interviews_completed_by_duration ON interviews
    (dashboard_duration_bucket(date_part('epoch', completed_at - started_at)), created_at)
    INCLUDE (started_at, completed_at)
    WHERE status = 'completed' AND started_at IS NOT NULL AND completed_at IS NOT NULL;
-- The median for one job reads that job's completed interviews from this index alone.
CREATE INDEX interviews_completed_by_job ON interviews (job_id, created_at)
    INCLUDE (started_at, completed_at)
    WHERE status = 'completed' AND started_at IS NOT NULL AND completed_at IS NOT NULL;

CREATE FUNCTION dashboard_completion_apply(i interviews, sign integer) RETURNS void
    LANGUAGE sql
    BEGIN ATOMIC
        INSERT INTO dashboard_completion_times (day, bucket, completions)
        SELECT dashboard_day(i.created_at), dashboard_duration_bucket(dashboard_completion_seconds(i)), sign
        WHERE dashboard_completion_seconds(i) IS NOT NULL
        ON CONFLICT (day, bucket) DO UPDATE
            SET completions = dashboard_completion_times.completions + excluded.completions;
    END;
-- Active sessions (in progress or paused) are counted live.
CREATE INDEX interviews_active_sessions ON interviews (job_id) WHERE status IN ('in_progress', 'paused');

-- What one interview adds to its cohort row (times `sign`), leaving out its score.
CREATE FUNCTION dashboard_interview_delta(i interviews, sign integer) RETURNS dashboard_cohorts
    LANGUAGE sql IMMUTABLE
    RETURN ROW(
        i.job_id, dashboard_day(i.created_at),
        sign,
        sign * (i.status = 'scheduled')::int,
        sign * (i.status = 'in_progress')::int,
        sign * (i.status = 'paused')::int,
        sign * (i.status = 'completed')::int,
        sign * (i.status = 'expired')::int,
        sign * (i.status = 'cancelled')::int,
        sign * (i.status = 'opted_out')::int,
        sign * (i.status = 'failed')::int,
        sign * (i.started_at IS NOT NULL)::int,
        sign * i.struggled::int,
        sign * (i.reschedule_count > 0)::int,
        sign * i.knocked_out::int,
        0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    )::dashboard_cohorts;

-- What an interview's current score adds to its cohort row (times `sign`).
CREATE FUNCTION dashboard_score_delta(
    job uuid, created timestamptz, score integer, recommendation text, sign integer
) RETURNS dashboard_cohorts
    LANGUAGE sql IMMUTABLE
    RETURN ROW(
        job, dashboard_day(created),
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        sign,
        sign * score,
        sign * (recommendation = 'advance')::int,
        sign * (recommendation = 'hold')::int,
        sign * (recommendation = 'reject')::int,
        sign * (score < 10)::int,
        sign * (score BETWEEN 10 AND 19)::int,
        sign * (score BETWEEN 20 AND 29)::int,
        sign * (score BETWEEN 30 AND 39)::int,
        sign * (score BETWEEN 40 AND 49)::int,
        sign * (score BETWEEN 50 AND 59)::int,
        sign * (score BETWEEN 60 AND 69)::int,
        sign * (score BETWEEN 70 AND 79)::int,
        sign * (score BETWEEN 80 AND 89)::int,
        sign * (score >= 90)::int
    )::dashboard_cohorts;

CREATE FUNCTION dashboard_cohort_apply(d dashboard_cohorts) RETURNS void
    LANGUAGE sql
    BEGIN ATOMIC
        INSERT INTO dashboard_cohorts SELECT (d).*
        ON CONFLICT (job_id, day) DO UPDATE SET
            invited = dashboard_cohorts.invited + excluded.invited,
            scheduled = dashboard_cohorts.scheduled + excluded.scheduled,
            in_progress = dashboard_cohorts.in_progress + excluded.in_progress,
            paused = dashboard_cohorts.paused + excluded.paused,
            completed = dashboard_cohorts.completed + excluded.completed,
            expired = dashboard_cohorts.expired + excluded.expired,
            cancelled = dashboard_cohorts.cancelled + excluded.cancelled,
            opted_out = dashboard_cohorts.opted_out + excluded.opted_out,
            failed = dashboard_cohorts.failed + excluded.failed,
            started = dashboard_cohorts.started + excluded.started,
            struggled = dashboard_cohorts.struggled + excluded.struggled,
            rescheduled = dashboard_cohorts.rescheduled + excluded.rescheduled,
            knocked_out = dashboard_cohorts.knocked_out + excluded.knocked_out,
            scored = dashboard_cohorts.scored + excluded.scored,
            score_sum = dashboard_cohorts.score_sum + excluded.score_sum,
            advance = dashboard_cohorts.advance + excluded.advance,
            hold = dashboard_cohorts.hold + excluded.hold,
            reject = dashboard_cohorts.reject + excluded.reject,
            score_0_9 = dashboard_cohorts.score_0_9 + excluded.score_0_9,
            score_10_19 = dashboard_cohorts.score_10_19 + excluded.score_10_19,
            score_20_29 = dashboard_cohorts.score_20_29 + excluded.score_20_29,
            score_30_39 = dashboard_cohorts.score_30_39 + excluded.score_30_39,
            score_40_49 = dashboard_cohorts.score_40_49 + excluded.score_40_49,
            score_50_59 = dashboard_cohorts.score_50_59 + excluded.score_50_59,
            score_60_69 = dashboard_cohorts.score_60_69 + excluded.score_60_69,
            score_70_79 = dashboard_cohorts.score_70_79 + excluded.score_70_79,
            score_80_89 = dashboard_cohorts.score_80_89 + excluded.score_80_89,
            score_90_100 = dashboard_cohorts.score_90_100 + excluded.score_90_100;
    END;

-- Column-wise sum of two cohort rows (keeps the first one's job and day), and the aggregate built on it.
CREATE FUNCTION dashboard_cohort_add(a dashboard_cohorts, b dashboard_cohorts) RETURNS dashboard_cohorts
    LANGUAGE sql IMMUTABLE STRICT
    RETURN ROW(
        a.job_id, a.day,
        a.invited + b.invited, a.scheduled + b.scheduled, a.in_progress + b.in_progress,
        a.paused + b.paused, a.completed + b.completed, a.expired + b.expired, a.cancelled + b.cancelled,
        a.opted_out + b.opted_out, a.failed + b.failed, a.started + b.started, a.struggled + b.struggled,
        a.rescheduled + b.rescheduled, a.knocked_out + b.knocked_out, a.scored + b.scored,
        a.score_sum + b.score_sum, a.advance + b.advance, a.hold + b.hold, a.reject + b.reject,
        a.score_0_9 + b.score_0_9, a.score_10_19 + b.score_10_19, a.score_20_29 + b.score_20_29,
        a.score_30_39 + b.score_30_39, a.score_40_49 + b.score_40_49, a.score_50_59 + b.score_50_59,
        a.score_60_69 + b.score_60_69, a.score_70_79 + b.score_70_79, a.score_80_89 + b.score_80_89,
        a.score_90_100 + b.score_90_100
    )::dashboard_cohorts;

CREATE AGGREGATE dashboard_sum(dashboard_cohorts) (SFUNC = dashboard_cohort_add, STYPE = dashboard_cohorts);

CREATE FUNCTION dashboard_activity_apply(
    p_job uuid, p_day date, p_invited integer, p_started integer, p_completed integer
) RETURNS void
    LANGUAGE sql
    BEGIN ATOMIC
        INSERT INTO dashboard_daily_activity (job_id, day, invited, started, completed)
        VALUES (p_job, p_day, p_invited, p_started, p_completed)
        ON CONFLICT (job_id, day) DO UPDATE SET
            invited = dashboard_daily_activity.invited + excluded.invited,
            started = dashboard_daily_activity.started + excluded.started,
            completed = dashboard_daily_activity.completed + excluded.completed;
    END;

-- Each interview's contribution to its cohort row, computed from the tables (not the rollup): used for the
-- partial days at the edges of a window and to rebuild the rollup.
CREATE FUNCTION dashboard_cohort_facts(since timestamptz, until timestamptz, job uuid)
    RETURNS SETOF dashboard_cohorts
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT d.*
        FROM interviews i, LATERAL dashboard_interview_delta(i, 1) d
        WHERE i.created_at >= since AND i.created_at < until AND (job IS NULL OR i.job_id = job)
        UNION ALL
        SELECT d.*
        FROM interviews i
        CROSS JOIN LATERAL (
            SELECT s.job_fit_score, s.recommendation FROM scores s
            WHERE s.interview_id = i.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1
        ) cur
        CROSS JOIN LATERAL dashboard_score_delta(i.job_id, i.created_at, cur.job_fit_score,
                                                 cur.recommendation, 1) d
        WHERE i.created_at >= since AND i.created_at < until AND (job IS NULL OR i.job_id = job);
    END;

-- Recompute both rollups from the tables: after the migration, after a bulk load with triggers disabled,
-- or to repair. Blocks writers to interviews and scores while it runs.
CREATE FUNCTION dashboard_rebuild() RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    LOCK TABLE interviews, scores IN SHARE MODE;
    DELETE FROM dashboard_cohorts;
    DELETE FROM dashboard_daily_activity;
    DELETE FROM dashboard_completion_times;
    INSERT INTO dashboard_cohorts
    SELECT (total).* FROM (
        SELECT dashboard_sum(f) AS total FROM dashboard_cohort_facts('-infinity', 'infinity', NULL) f
        GROUP BY f.job_id, f.day
    ) per_day;
    INSERT INTO dashboard_daily_activity (job_id, day, invited, started, completed)
    SELECT job_id, day, sum(invited), sum(started), sum(completed)
    FROM (
        SELECT job_id, dashboard_day(created_at) AS day, 1 AS invited, 0 AS started, 0 AS completed
        FROM interviews
        UNION ALL
        SELECT job_id, dashboard_day(started_at), 0, 1, 0 FROM interviews WHERE started_at IS NOT NULL
        UNION ALL
        SELECT job_id, dashboard_day(completed_at), 0, 0, 1 FROM interviews WHERE completed_at IS NOT NULL
    ) events
    GROUP BY job_id, day;
    INSERT INTO dashboard_completion_times (day, bucket, completions)
    SELECT dashboard_day(i.created_at), dashboard_duration_bucket(dashboard_completion_seconds(i)), count(*)
    FROM interviews i
    WHERE dashboard_completion_seconds(i) IS NOT NULL
    GROUP BY 1, 2;
END;
$$;

-- Apply the current score of `interview` (if it has one) to the cohort of job/created, times `sign`.
CREATE FUNCTION dashboard_apply_current_score(interview uuid, job uuid, created timestamptz, sign integer)
    RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    current record;
BEGIN
    SELECT s.job_fit_score, s.recommendation INTO current FROM scores s
    WHERE s.interview_id = interview ORDER BY s.created_at DESC, s.id DESC LIMIT 1;
    IF FOUND THEN
        PERFORM dashboard_cohort_apply(
            dashboard_score_delta(job, created, current.job_fit_score, current.recommendation, sign));
    END IF;
END;
$$;

CREATE FUNCTION dashboard_track_interview() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A new interview has no scores yet (scores reference it).
        PERFORM dashboard_cohort_apply(dashboard_interview_delta(NEW, 1));
        PERFORM dashboard_activity_apply(NEW.job_id, dashboard_day(NEW.created_at), 1, 0, 0);
        IF NEW.started_at IS NOT NULL THEN
            PERFORM dashboard_activity_apply(NEW.job_id, dashboard_day(NEW.started_at), 0, 1, 0);
        END IF;
        IF NEW.completed_at IS NOT NULL THEN
            PERFORM dashboard_activity_apply(NEW.job_id, dashboard_day(NEW.completed_at), 0, 0, 1);
        END IF;
        PERFORM dashboard_completion_apply(NEW, 1);
        RETURN NULL;
    END IF;

    IF TG_OP = 'DELETE' THEN
        -- BEFORE DELETE: the interview's scores are still there (the cascade removes them afterwards,
        -- and the scores trigger then finds no interview and leaves the rollup alone).
        PERFORM dashboard_cohort_apply(dashboard_interview_delta(OLD, -1));
        PERFORM dashboard_apply_current_score(OLD.id, OLD.job_id, OLD.created_at, -1);
        PERFORM dashboard_activity_apply(OLD.job_id, dashboard_day(OLD.created_at), -1, 0, 0);
        IF OLD.started_at IS NOT NULL THEN
            PERFORM dashboard_activity_apply(OLD.job_id, dashboard_day(OLD.started_at), 0, -1, 0);
        END IF;
        IF OLD.completed_at IS NOT NULL THEN
            PERFORM dashboard_activity_apply(OLD.job_id, dashboard_day(OLD.completed_at), 0, 0, -1);
        END IF;
        PERFORM dashboard_completion_apply(OLD, -1);
        RETURN OLD;
    END IF;

    -- UPDATE (the trigger's WHEN clause skips updates that change nothing counted here).
    IF OLD.job_id = NEW.job_id AND dashboard_day(OLD.created_at) = dashboard_day(NEW.created_at) THEN
        IF dashboard_interview_delta(OLD, 1) IS DISTINCT FROM dashboard_interview_delta(NEW, 1) THEN
            PERFORM dashboard_cohort_apply(
                dashboard_cohort_add(dashboard_interview_delta(NEW, 1), dashboard_interview_delta(OLD, -1)));
        END IF;
    ELSE
        PERFORM dashboard_cohort_apply(dashboard_interview_delta(OLD, -1));
        PERFORM dashboard_cohort_apply(dashboard_interview_delta(NEW, 1));
    END IF;
    IF OLD.job_id IS DISTINCT FROM NEW.job_id
       OR dashboard_day(OLD.created_at) IS DISTINCT FROM dashboard_day(NEW.created_at) THEN
        PERFORM dashboard_apply_current_score(OLD.id, OLD.job_id, OLD.created_at, -1);
        PERFORM dashboard_apply_current_score(NEW.id, NEW.job_id, NEW.created_at, 1);
        PERFORM dashboard_activity_apply(OLD.job_id, dashboard_day(OLD.created_at), -1, 0, 0);
        PERFORM dashboard_activity_apply(NEW.job_id, dashboard_day(NEW.created_at), 1, 0, 0);
    END IF;
    IF OLD.job_id IS DISTINCT FROM NEW.job_id
       OR dashboard_day(OLD.started_at) IS DISTINCT FROM dashboard_day(NEW.started_at) THEN
        IF OLD.started_at IS NOT NULL THEN
            PERFORM dashboard_activity_apply(OLD.job_id, dashboard_day(OLD.started_at), 0, -1, 0);
        END IF;
        IF NEW.started_at IS NOT NULL THEN
            PERFORM dashboard_activity_apply(NEW.job_id, dashboard_day(NEW.started_at), 0, 1, 0);
        END IF;
    END IF;
    IF OLD.job_id IS DISTINCT FROM NEW.job_id
       OR dashboard_day(OLD.completed_at) IS DISTINCT FROM dashboard_day(NEW.completed_at) THEN
        IF OLD.completed_at IS NOT NULL THEN
            PERFORM dashboard_activity_apply(OLD.job_id, dashboard_day(OLD.completed_at), 0, 0, -1);
        END IF;
        IF NEW.completed_at IS NOT NULL THEN
            PERFORM dashboard_activity_apply(NEW.job_id, dashboard_day(NEW.completed_at), 0, 0, 1);
        END IF;
    END IF;
    IF dashboard_day(OLD.created_at) IS DISTINCT FROM dashboard_day(NEW.created_at)
       OR dashboard_duration_bucket(dashboard_completion_seconds(OLD))
          IS DISTINCT FROM dashboard_duration_bucket(dashboard_completion_seconds(NEW)) THEN
        PERFORM dashboard_completion_apply(OLD, -1);
        PERFORM dashboard_completion_apply(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER dashboard_track_interview_insert AFTER INSERT ON interviews
    FOR EACH ROW EXECUTE FUNCTION dashboard_track_interview();
CREATE TRIGGER dashboard_track_interview_update AFTER UPDATE ON interviews
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.started_at IS DISTINCT FROM NEW.started_at
          OR OLD.completed_at IS DISTINCT FROM NEW.completed_at
          OR OLD.struggled IS DISTINCT FROM NEW.struggled
          OR (OLD.reschedule_count > 0) IS DISTINCT FROM (NEW.reschedule_count > 0)
          OR OLD.knocked_out IS DISTINCT FROM NEW.knocked_out
          OR OLD.job_id IS DISTINCT FROM NEW.job_id
          OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION dashboard_track_interview();
CREATE TRIGGER dashboard_track_interview_delete BEFORE DELETE ON interviews
    FOR EACH ROW EXECUTE FUNCTION dashboard_track_interview();

-- Scores change an interview's current score. Statement-level with transition tables, set-based: a
-- statement that adds or removes many rows (a bulk load, a cascade) is handled in one pass, from the state
-- before and after it.
CREATE FUNCTION dashboard_apply_score_changes(touched uuid[], written bigint[], removed scores[])
    RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    -- Lock the interviews in id order: serialises concurrent score changes of one interview (no deadlock
    -- between two such statements), and the query below then sees the others' committed rows
    -- (READ COMMITTED, the default). An interview being deleted is skipped: its BEFORE DELETE trigger took
    -- its score out already.
    PERFORM 1 FROM interviews i WHERE i.id = ANY (touched) ORDER BY i.id FOR NO KEY UPDATE;
    PERFORM dashboard_cohort_apply(per_day.total)
    FROM (
        WITH target AS (
            SELECT i.id, i.job_id, i.created_at FROM interviews i WHERE i.id = ANY (touched)
        ), after AS (
            SELECT DISTINCT ON (s.interview_id) s.interview_id, s.job_fit_score, s.recommendation
            FROM scores s WHERE s.interview_id = ANY (touched)
            ORDER BY s.interview_id, s.created_at DESC, s.id DESC
        ), before AS (
            -- the rows now, less those the statement wrote, plus those it removed
            SELECT DISTINCT ON (p.interview_id) p.interview_id, p.job_fit_score, p.recommendation
            FROM (
                SELECT s.interview_id, s.id, s.created_at, s.job_fit_score, s.recommendation
                FROM scores s
                WHERE s.interview_id = ANY (touched) AND s.id NOT IN (SELECT unnest(written))
                UNION ALL
                SELECT r.interview_id, r.id, r.created_at, r.job_fit_score, r.recommendation
                FROM unnest(removed) r
            ) p
            ORDER BY p.interview_id, p.created_at DESC, p.id DESC
        ), changed AS (
            SELECT t.job_id, t.created_at, b.job_fit_score AS before_score, b.recommendation AS before_rec,
                   a.job_fit_score AS after_score, a.recommendation AS after_rec
            FROM target t
            LEFT JOIN before b ON b.interview_id = t.id
            LEFT JOIN after a ON a.interview_id = t.id
            WHERE (b.job_fit_score, b.recommendation) IS DISTINCT FROM (a.job_fit_score, a.recommendation)
        ), deltas AS (
            SELECT d FROM changed c,
                LATERAL dashboard_score_delta(c.job_id, c.created_at, c.before_score, c.before_rec, -1) d
            WHERE c.before_score IS NOT NULL
            UNION ALL
            SELECT d FROM changed c,
                LATERAL dashboard_score_delta(c.job_id, c.created_at, c.after_score, c.after_rec, 1) d
            WHERE c.after_score IS NOT NULL
        )
        SELECT dashboard_sum(deltas.d) AS total FROM deltas GROUP BY (deltas.d).job_id, (deltas.d).day
    ) per_day;
END;
$$;

CREATE FUNCTION dashboard_track_scores() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM dashboard_apply_score_changes(
            ARRAY(SELECT DISTINCT n.interview_id FROM new_rows n), ARRAY(SELECT n.id FROM new_rows n), '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM dashboard_apply_score_changes(
            ARRAY(SELECT DISTINCT o.interview_id FROM old_rows o), '{}', ARRAY(SELECT ROW(o.*)::scores FROM old_rows o));
    ELSE
        PERFORM dashboard_apply_score_changes(
            ARRAY(SELECT n.interview_id FROM new_rows n UNION SELECT o.interview_id FROM old_rows o),
            ARRAY(SELECT n.id FROM new_rows n), ARRAY(SELECT ROW(o.*)::scores FROM old_rows o));
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER dashboard_track_scores_insert AFTER INSERT ON scores
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_track_scores();
CREATE TRIGGER dashboard_track_scores_update AFTER UPDATE ON scores
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_track_scores();
CREATE TRIGGER dashboard_track_scores_delete AFTER DELETE ON scores
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_track_scores();

SELECT dashboard_rebuild();
