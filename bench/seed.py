"""Fills a database with a realistic pipeline: jobs and questions, candidates, interviews in every status
over ~60 days, answers (10 per interview on average) and scores (some interviews rescored).

Everything is generated inside PostgreSQL (generate_series, random()) from a fixed seed, so a run is quick
and repeatable. By default the dashboard triggers are switched off during the load and the rollups are
rebuilt once at the end (dashboard_rebuild); --through-triggers loads through them instead, and then checks
that the rollups equal a rebuild.

Usage:
  python -m bench.seed --interviews 100000          # embedded PostgreSQL under .local/bench, db bench_100000
  python -m bench.seed --interviews 10000 --database-url postgresql://...
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA_DIR = ROOT / ".local" / "bench"
DATA_TABLES = ("jobs", "questions", "candidates", "interviews", "answers", "scores", "inbound_messages")


def default_database_url(interviews: int) -> str:
    """A dedicated database per size on the embedded server under .local/bench, migrated."""
    from shared.db.embedded import embedded_database_url
    from shared.db.migrate import migrate

    url = embedded_database_url(BENCH_DATA_DIR, f"bench_{interviews}")
    migrate(url)
    return url


@contextmanager
def step(label: str) -> Iterator[None]:
    print(f"  {label} ...", end="", flush=True)
    started = time.perf_counter()
    yield
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


# The plan: one row per candidate and interview, with every random choice made once.
PLAN_SQL = """
CREATE TEMP TABLE seed_plan AS
WITH base AS (
    SELECT g,
           -- busier and quieter jobs: a skewed pick among the jobs
           1 + least(%(jobs)s - 1, floor(%(jobs)s * power(random(), 1.6))::int) AS job_ordinal,
           now() - random() * %(days)s * interval '1 day' AS created_at,
           random() AS r_status, random() AS r_start, random_normal() AS z_duration,
           random() AS r_struggle, random() AS r_flags, random() AS r_answers
    FROM generate_series(1, %(interviews)s) g
), statused AS (
    SELECT b.*, j.question_count,
           CASE WHEN now() - b.created_at < interval '3 days' THEN
                CASE WHEN r_status < 0.20 THEN 'scheduled' WHEN r_status < 0.40 THEN 'in_progress'
                     WHEN r_status < 0.46 THEN 'paused' WHEN r_status < 0.82 THEN 'completed'
                     WHEN r_status < 0.88 THEN 'expired' WHEN r_status < 0.91 THEN 'cancelled'
                     WHEN r_status < 0.97 THEN 'opted_out' ELSE 'failed' END
           ELSE
                CASE WHEN r_status < 0.03 THEN 'scheduled' WHEN r_status < 0.04 THEN 'in_progress'
                     WHEN r_status < 0.05 THEN 'paused' WHEN r_status < 0.69 THEN 'completed'
                     WHEN r_status < 0.84 THEN 'expired' WHEN r_status < 0.88 THEN 'cancelled'
                     WHEN r_status < 0.95 THEN 'opted_out' ELSE 'failed' END
           END AS status
    FROM base b JOIN seed_jobs j ON j.ordinal = b.job_ordinal
), started AS (
    SELECT s.*,
           CASE WHEN s.status = 'scheduled' THEN NULL
                WHEN s.status IN ('cancelled', 'opted_out', 'failed') AND s.r_start < 0.4 THEN NULL
                ELSE least(now(), s.created_at + s.r_start * interval '2 hours') END AS started_at
    FROM statused s
), flagged AS (
    SELECT s.*,
           s.started_at IS NOT NULL AND s.r_struggle < 0.12 AS struggled,
           CASE WHEN s.started_at IS NOT NULL AND s.r_struggle < 0.012 THEN 2
                WHEN s.started_at IS NOT NULL AND s.r_struggle < 0.06 THEN 1 ELSE 0 END AS reschedule_count,
           s.status = 'completed' AND s.r_flags > 0.95 AS knocked_out
    FROM started s
)
SELECT f.*, gen_random_uuid() AS candidate_id, gen_random_uuid() AS interview_id,
       CASE WHEN f.status = 'completed' THEN least(now(), f.started_at
                + exp(ln(1500) + 0.9 * f.z_duration) * interval '1 second'
                + f.reschedule_count * interval '1 day') END AS completed_at,
       CASE WHEN f.started_at IS NULL THEN 0
            WHEN f.status = 'completed' AND f.knocked_out
                THEN 1 + floor(f.r_answers * (f.question_count - 1))::int
            WHEN f.status = 'completed' THEN f.question_count
            WHEN f.status IN ('in_progress', 'paused', 'expired') THEN floor(f.r_answers * f.question_count)::int
            WHEN f.status IN ('cancelled', 'opted_out') THEN floor(f.r_answers * f.question_count / 2)::int
            ELSE least(f.question_count, floor(f.r_answers * 3)::int) END AS answered
FROM flagged f;
"""

INTERVIEWS_SQL = """
INSERT INTO interviews (id, candidate_id, job_id, phone_e164, status, question_count, current_question,
                        struggle_count, struggled, reschedule_count, knocked_out, end_reason, scheduled_at,
                        started_at, completed_at, ended_at, score_status, created_at, updated_at)
SELECT p.interview_id, p.candidate_id, j.id, '+1415' || lpad(p.g::text, 7, '0'), p.status, p.question_count,
       CASE WHEN p.status IN ('in_progress', 'paused') THEN p.answered + 1 END,
       CASE WHEN p.status = 'paused' AND p.struggled THEN 2 ELSE 0 END, p.struggled, p.reschedule_count,
       p.knocked_out,
       CASE p.status WHEN 'failed' THEN 'delivery failed' WHEN 'expired' THEN 'no answer after reminders' END,
       p.created_at, p.started_at, p.completed_at,
       CASE WHEN p.status = 'completed' THEN p.completed_at
            WHEN p.status IN ('expired', 'cancelled', 'opted_out', 'failed')
                THEN least(now(), coalesce(p.started_at, p.created_at) + interval '8 hours') END,
       CASE WHEN p.status = 'completed' THEN 'scored' ELSE 'none' END,
       p.created_at, p.created_at
FROM seed_plan p JOIN seed_jobs j ON j.ordinal = p.job_ordinal
ORDER BY p.created_at  -- the order a live system writes them in, so tables have its physical layout
"""

ANSWERS_SQL = """
INSERT INTO answers (interview_id, question_id, question_position, question_text, text, message_sids,
                     struggling, received_at, updated_at)
SELECT p.interview_id, q.id, q.position, q.text, 'Seeded answer to question ' || q.position,
       ARRAY['SM' || md5(p.interview_id::text || q.position)],
       (p.struggled AND q.position IN (2, 3)) OR random() < 0.03,
       p.started_at + q.position * interval '3 minutes', p.started_at + q.position * interval '3 minutes'
FROM seed_plan p JOIN seed_questions q ON q.job_ordinal = p.job_ordinal AND q.position <= p.answered
ORDER BY p.started_at, q.position
"""

SCORES_SQL = """
INSERT INTO scores (interview_id, request_number, scorer, scorer_version, prompt_version, model,
                    job_fit_score, recommendation, details, created_at)
SELECT s.interview_id, s.request_number, 'local', '1', '1', NULL, s.score,
       CASE WHEN s.score >= 75 THEN 'advance' WHEN s.score >= 50 THEN 'hold' ELSE 'reject' END,
       '{"seeded": true}', s.created_at
FROM (
    SELECT p.interview_id, 1 AS request_number,
           greatest(0, least(100, round(62 + 18 * random_normal())))::int AS score,
           p.completed_at + interval '2 minutes' AS created_at
    FROM seed_plan p WHERE p.status = 'completed' AND p.r_flags < 0.95
    UNION ALL
    SELECT p.interview_id, 2, greatest(0, least(100, round(64 + 18 * random_normal())))::int,
           p.completed_at + interval '1 day'
    FROM seed_plan p WHERE p.status = 'completed' AND p.r_flags < 0.10
) s
ORDER BY s.created_at
"""


def seed(
    url: str,
    interviews: int,
    jobs: int = 200,
    days: int = 60,
    through_triggers: bool = False,
    reset: bool = False,
    random_seed: float = 0.42,
) -> dict[str, int]:
    """Load the data; return the row counts."""
    conn = psycopg2.connect(url)
    conn.autocommit = False
    counts: dict[str, int] = {}
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM interviews")
            existing = cur.fetchone()[0]
            if existing and not reset:
                raise SystemExit(
                    f"the database already has {existing} interviews; pass --reset to replace them"
                )
            print(f"seeding {interviews} interviews across {jobs} jobs over {days} days")
            total_started = time.perf_counter()
            with step("emptying tables"):
                cur.execute(
                    "TRUNCATE "
                    + ", ".join(DATA_TABLES)
                    + ", dashboard_cohorts, dashboard_daily_activity, dashboard_completion_times CASCADE"
                )
            if not through_triggers:
                # Skips user triggers and foreign-key checks for this session (the data is consistent by
                # construction); the rollups are rebuilt once at the end.
                cur.execute("SET session_replication_role = replica")
            cur.execute("SELECT setseed(%s)", (random_seed,))
            with step("jobs and questions"):
                cur.execute(
                    "CREATE TEMP TABLE seed_jobs AS SELECT g AS ordinal, gen_random_uuid() AS id, "
                    "11 + g %% 8 AS question_count FROM generate_series(1, %s) g",
                    (jobs,),
                )
                cur.execute(
                    "INSERT INTO jobs (id, title, description, requirements, status, created_at, updated_at) "
                    "SELECT id, 'Seeded job ' || ordinal, 'A job for the dashboard benchmark', "
                    "ARRAY['Python', 'SQL'], CASE WHEN ordinal %% 10 = 0 THEN 'closed' ELSE 'open' END, "
                    "now() - %s * interval '1 day' - interval '30 days', now() FROM seed_jobs",
                    (days,),
                )
                cur.execute(
                    "CREATE TEMP TABLE seed_questions AS SELECT j.ordinal AS job_ordinal, j.id AS job_id, "
                    "gen_random_uuid() AS id, g AS position, 'Seeded question ' || g || ' of job ' || j.ordinal "
                    "AS text FROM seed_jobs j, generate_series(1, j.question_count) g"
                )
                cur.execute(
                    "INSERT INTO questions (id, job_id, position, text, ideal_answer) "
                    "SELECT id, job_id, position, text, 'A specific, relevant answer' FROM seed_questions"
                )
                cur.execute("CREATE INDEX ON seed_questions (job_ordinal, position)")
            with step("planning interviews"):
                cur.execute(PLAN_SQL, {"jobs": jobs, "days": days, "interviews": interviews})
                cur.execute("ANALYZE seed_plan")
            with step("candidates"):
                cur.execute(
                    "INSERT INTO candidates (id, job_id, name, phone_e164, sms_consent, consent_at, created_at, "
                    "updated_at) SELECT p.candidate_id, j.id, 'Candidate ' || p.g, "
                    "'+1415' || lpad(p.g::text, 7, '0'), true, p.created_at, p.created_at, p.created_at "
                    "FROM seed_plan p JOIN seed_jobs j ON j.ordinal = p.job_ordinal ORDER BY p.created_at"
                )
            with step("interviews" + (" (through the dashboard triggers)" if through_triggers else "")):
                cur.execute(INTERVIEWS_SQL)
            with step("answers"):
                cur.execute(ANSWERS_SQL)
            with step("scores" + (" (through the dashboard triggers)" if through_triggers else "")):
                cur.execute(SCORES_SQL)
            if not through_triggers:
                cur.execute("SET session_replication_role = DEFAULT")
                with step("rebuilding the dashboard rollups"):
                    cur.execute("SELECT dashboard_rebuild()")
            conn.commit()
            if through_triggers:
                with step("checking the rollups against a rebuild"):
                    drift = rollup_drift(cur)
                    conn.rollback()
                if drift:
                    raise SystemExit(f"the rollups differ from a rebuild in {drift} rows")
            conn.autocommit = True
            with step("vacuum analyze"):
                cur.execute("VACUUM ANALYZE")
            for table in ("jobs", "questions", "candidates", "interviews", "answers", "scores"):
                cur.execute(f"SELECT count(*) FROM {table}")
                counts[table] = cur.fetchone()[0]
            cur.execute("SELECT status, count(*) FROM interviews GROUP BY status ORDER BY count(*) DESC")
            statuses = ", ".join(f"{status} {n}" for status, n in cur.fetchall())
            print("  rows: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
            print(f"  statuses: {statuses}")
            print(f"done in {time.perf_counter() - total_started:.1f} s")
    finally:
        conn.close()
    return counts


def rollup_drift(cur: psycopg2.extensions.cursor) -> int:
    """Rows in which the trigger-maintained rollups differ from a rebuild (run inside a transaction)."""
    cur.execute(
        "CREATE TEMP TABLE kept_cohorts AS SELECT * FROM dashboard_cohorts WHERE invited <> 0 OR scored <> 0; "
        "CREATE TEMP TABLE kept_activity AS SELECT * FROM dashboard_daily_activity "
        "WHERE invited <> 0 OR started <> 0 OR completed <> 0; "
        "CREATE TEMP TABLE kept_times AS SELECT * FROM dashboard_completion_times WHERE completions <> 0; "
        "SELECT dashboard_rebuild();"
    )
    cur.execute(
        "SELECT (SELECT count(*) FROM ((TABLE kept_cohorts EXCEPT TABLE dashboard_cohorts) UNION ALL "
        "(TABLE dashboard_cohorts EXCEPT TABLE kept_cohorts)) c) + "
        "(SELECT count(*) FROM ((TABLE kept_activity EXCEPT TABLE dashboard_daily_activity) UNION ALL "
        "(TABLE dashboard_daily_activity EXCEPT TABLE kept_activity)) a) + "
        "(SELECT count(*) FROM ((TABLE kept_times EXCEPT TABLE dashboard_completion_times) UNION ALL "
        "(TABLE dashboard_completion_times EXCEPT TABLE kept_times)) t)"
    )
    return cur.fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--interviews", type=int, default=100_000, help="candidates and interviews (1 each)")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--days", type=int, default=60, help="interviews are created over this many days")
    parser.add_argument("--database-url", help="default: embedded PostgreSQL under .local/bench")
    parser.add_argument("--through-triggers", action="store_true", help="load through the dashboard triggers")
    parser.add_argument("--reset", action="store_true", help="replace data already in the database")
    args = parser.parse_args(argv)
    if not 1 <= args.interviews <= 9_999_999:
        parser.error("--interviews must be between 1 and 9,999,999")
    url = args.database_url or default_database_url(args.interviews)
    seed(url, args.interviews, args.jobs, args.days, args.through_triggers, args.reset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
