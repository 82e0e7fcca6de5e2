"""GET /api/dashboard against hand-computed fixtures, and the rollups' consistency as interviews change.

The fixture (see `pipeline`): three jobs, twelve interviews in every status over 2026-03-01..05, scores
including a rescored interview and one whose older score was inserted last, answers with struggling flags.
Every expected number below is worked out by hand from that table.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg2
import pytest

from tests.support.functions_host import call

JOB_A = "00000000-0000-0000-0000-00000000000a"
JOB_B = "00000000-0000-0000-0000-00000000000b"
JOB_C = "00000000-0000-0000-0000-00000000000c"

# name: (job, created_at, status, started_at, completed_at, struggled, reschedule_count, knocked_out)
INTERVIEWS = {
    "a1": (
        JOB_A,
        "2026-03-01 09:00Z",
        "completed",
        "2026-03-01 09:10Z",
        "2026-03-01 09:40Z",
        False,
        0,
        False,
    ),
    "a2": (JOB_A, "2026-03-01 15:00Z", "completed", "2026-03-01 15:05Z", "2026-03-01 16:05Z", True, 1, False),
    "a3": (JOB_A, "2026-03-02 10:00Z", "completed", "2026-03-02 10:00Z", "2026-03-02 10:05Z", False, 0, True),
    "a4": (JOB_A, "2026-03-02 12:00Z", "expired", "2026-03-02 12:30Z", None, False, 0, False),
    "a5": (JOB_A, "2026-03-03 08:00Z", "in_progress", "2026-03-03 08:15Z", None, True, 0, False),
    "a6": (JOB_A, "2026-03-03 09:00Z", "scheduled", None, None, False, 0, False),
    "a7": (JOB_A, "2026-03-04 11:00Z", "opted_out", None, None, False, 0, False),
    "b1": (JOB_B, "2026-03-01 10:00Z", "completed", "2026-03-01 10:30Z", "2026-03-02 10:30Z", True, 2, False),
    "b2": (JOB_B, "2026-03-03 14:00Z", "paused", "2026-03-03 14:10Z", None, True, 1, False),
    "b3": (JOB_B, "2026-03-04 16:00Z", "cancelled", "2026-03-04 16:05Z", None, False, 0, False),
    "b4": (JOB_B, "2026-03-04 18:00Z", "failed", None, None, False, 0, False),
    "b5": (JOB_B, "2026-03-05 09:00Z", "opted_out", "2026-03-05 09:01Z", None, False, 0, False),
}
# (interview, job_fit_score, recommendation, created_at), in insertion order
SCORES = [
    ("a1", 80, "advance", "2026-03-01 10:00Z"),
    ("a2", 40, "reject", "2026-03-01 17:00Z"),
    ("a2", 65, "hold", "2026-03-02 10:00Z"),  # rescored: the current one
    ("a3", 10, "reject", "2026-03-02 11:00Z"),
    ("b1", 95, "advance", "2026-03-03 10:00Z"),
    ("b1", 70, "hold", "2026-03-02 12:00Z"),  # inserted last but older: not current
]
STATUSES = ("scheduled", "in_progress", "paused", "completed", "expired", "cancelled", "opted_out", "failed")


def interview_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"interview/{name}"))


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg2.extensions.connection]:
    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    yield connection
    connection.close()


def insert_job(cur, job_id: str, title: str, status: str = "open") -> None:
    cur.execute("INSERT INTO jobs (id, title, status) VALUES (%s, %s, %s)", (job_id, title, status))


def insert_interview(
    cur, name: str, job, created, status, started, completed, struggled, reschedules, knocked
):
    candidate = str(uuid.uuid5(uuid.NAMESPACE_URL, f"candidate/{name}"))
    phone = "+1415555" + str(uuid.UUID(candidate).int % 10_000).zfill(4)
    cur.execute(
        "INSERT INTO candidates (id, job_id, name, phone_e164) VALUES (%s, %s, %s, %s)",
        (candidate, job, name, phone),
    )
    terminal = status in ("completed", "expired", "cancelled", "opted_out", "failed")
    cur.execute(
        "INSERT INTO interviews (id, candidate_id, job_id, phone_e164, status, question_count, struggled, "
        "struggle_count, reschedule_count, knocked_out, scheduled_at, started_at, completed_at, ended_at, "
        "end_reason, created_at) VALUES (%s, %s, %s, %s, %s, 3, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            interview_id(name),
            candidate,
            job,
            phone,
            status,
            struggled,
            2 if struggled and status == "paused" else 0,
            reschedules,
            knocked,
            created,
            started,
            completed,
            (completed or started or created) if terminal else None,
            "delivery failed" if status == "failed" else None,
            created,
        ),
    )


def insert_score(cur, name: str, score: int, recommendation: str, created: str, request_number: int) -> None:
    cur.execute(
        "INSERT INTO scores (interview_id, request_number, scorer, scorer_version, prompt_version, "
        "job_fit_score, recommendation, details, created_at) VALUES (%s, %s, 'local', '1', '1', %s, %s, '{}', %s)",
        (interview_id(name), request_number, score, recommendation, created),
    )


def insert_answer(cur, name: str, position: int, struggling: bool) -> None:
    cur.execute(
        "INSERT INTO answers (interview_id, question_position, question_text, text, message_sids, struggling, "
        "received_at) VALUES (%s, %s, 'Q?', 'A.', ARRAY['SM1'], %s, now())",
        (interview_id(name), position, struggling),
    )


@pytest.fixture
def pipeline(conn) -> None:
    with conn.cursor() as cur:
        insert_job(cur, JOB_A, "Backend Engineer")
        insert_job(cur, JOB_B, "Support Agent", "closed")
        insert_job(cur, JOB_C, "Nobody Yet")
        for name, row in INTERVIEWS.items():
            insert_interview(cur, name, *row)
        for request_number, (name, score, recommendation, created) in enumerate(SCORES, start=1):
            insert_score(cur, name, score, recommendation, created, request_number)
        # Struggling answers count only through the interview's own flag (a5 has them and is flagged,
        # a1 has one and is not: the struggle threshold is about consecutive answers).
        insert_answer(cur, "a1", 1, True)
        insert_answer(cur, "a1", 2, False)
        insert_answer(cur, "a5", 1, True)
        insert_answer(cur, "a5", 2, True)


def dashboard(params: dict | None = None, token=None, expect: int = 200) -> dict:
    kwargs = {"token": token} if token else {}
    response = call("GET", "dashboard", params=params, **kwargs)
    assert response.status == expect, response
    return response.json()


def by_status(**counts: int) -> dict[str, int]:
    return {status: counts.get(status, 0) for status in STATUSES}


def histogram(**counts: int) -> list[dict]:
    buckets = []
    for low in range(0, 100, 10):
        high = 100 if low == 90 else low + 9
        buckets.append({"min": low, "max": high, "count": counts.get(f"b{low}", 0)})
    return buckets


def daily_counts(body: dict) -> dict[str, tuple[int, int, int]]:
    return {
        d["date"]: (d["invited"], d["started"], d["completed"])
        for d in body["daily"]
        if any((d["invited"], d["started"], d["completed"]))
    }


def test_every_figure_over_all_jobs_and_all_time(pipeline):
    body = dashboard({"to": "2026-03-05"})
    assert body["window"] == {"job_id": None, "from": None, "to": "2026-03-06T00:00:00Z"}
    assert body["interviews_by_status"] == by_status(
        scheduled=1, in_progress=1, paused=1, completed=4, expired=1, cancelled=1, opted_out=2, failed=1
    )
    assert body["active_sessions"] == 2  # a5 in progress, b2 paused
    assert body["completion_rate"] == round(4 / 9, 4)
    assert body["average_job_fit_score"] == 62.5  # (80 + 65 + 10 + 95) / 4: current scores only
    assert body["score_histogram"] == histogram(b10=1, b60=1, b80=1, b90=1)
    assert body["struggling_rate"] == round(4 / 9, 4)  # a2, a5, b1, b2
    assert body["reschedule_rate"] == round(3 / 9, 4)  # a2, b1, b2
    assert body["opt_out_rate"] == round(2 / 12, 4)  # over invited
    assert body["expiry_rate"] == round(1 / 9, 4)
    assert body["knocked_out"] == 1
    assert body["median_time_to_complete_seconds"] == 2700.0  # 300, 1800 | 3600, 86400
    assert body["funnel"] == {
        "invited": 12,
        "started": 9,
        "completed": 4,
        "scored": 4,
        "recommended_to_advance": 2,
    }
    assert body["jobs"] == [
        {
            "job_id": JOB_A,
            "title": "Backend Engineer",
            "job_status": "open",
            "invited": 7,
            "started": 5,
            "completed": 3,
            "scored": 3,
            "recommended_to_advance": 1,
            "completion_rate": 0.6,
            "average_job_fit_score": round(155 / 3, 2),
        },
        {
            "job_id": JOB_B,
            "title": "Support Agent",
            "job_status": "closed",
            "invited": 5,
            "started": 4,
            "completed": 1,
            "scored": 1,
            "recommended_to_advance": 1,
            "completion_rate": 0.25,
            "average_job_fit_score": 95.0,
        },
    ]
    assert len(body["daily"]) == 30
    assert body["daily"][0]["date"] == "2026-02-04" and body["daily"][-1]["date"] == "2026-03-05"
    assert daily_counts(body) == {
        "2026-03-01": (3, 3, 2),
        "2026-03-02": (2, 2, 2),
        "2026-03-03": (3, 2, 0),
        "2026-03-04": (3, 1, 0),
        "2026-03-05": (1, 1, 0),
    }


def test_no_window_counts_everything_and_the_series_ends_today(pipeline):
    body = dashboard()
    assert body["window"] == {"job_id": None, "from": None, "to": None}
    assert body["funnel"]["invited"] == 12
    assert body["daily"][-1]["date"] == body["generated_at"][:10]
    assert daily_counts(body) == {}  # the fixture's days are long gone


def test_job_filter(pipeline):
    body = dashboard({"job_id": JOB_B, "to": "2026-03-05"})
    assert body["window"]["job_id"] == JOB_B
    assert body["interviews_by_status"] == by_status(
        completed=1, paused=1, cancelled=1, failed=1, opted_out=1
    )
    assert body["active_sessions"] == 1
    assert body["completion_rate"] == 0.25
    assert body["average_job_fit_score"] == 95.0  # b1's latest score, not the one inserted last
    assert body["score_histogram"] == histogram(b90=1)
    assert body["struggling_rate"] == 0.5
    assert body["reschedule_rate"] == 0.5
    assert body["opt_out_rate"] == 0.2
    assert body["expiry_rate"] == 0.0
    assert body["knocked_out"] == 0
    assert body["median_time_to_complete_seconds"] == 86400.0
    assert body["funnel"] == {
        "invited": 5,
        "started": 4,
        "completed": 1,
        "scored": 1,
        "recommended_to_advance": 1,
    }
    assert [j["job_id"] for j in body["jobs"]] == [JOB_B]
    assert daily_counts(body) == {
        "2026-03-01": (1, 1, 0),
        "2026-03-02": (0, 0, 1),
        "2026-03-03": (1, 1, 0),
        "2026-03-04": (2, 1, 0),
        "2026-03-05": (1, 1, 0),
    }


def test_date_window_includes_whole_days_of_from_and_to(pipeline):
    body = dashboard({"from": "2026-03-02", "to": "2026-03-03"})
    assert body["window"] == {"job_id": None, "from": "2026-03-02T00:00:00Z", "to": "2026-03-04T00:00:00Z"}
    # a3, a4, a5, a6, b2
    assert body["interviews_by_status"] == by_status(
        completed=1, expired=1, in_progress=1, scheduled=1, paused=1
    )
    assert body["funnel"] == {
        "invited": 5,
        "started": 4,
        "completed": 1,
        "scored": 1,
        "recommended_to_advance": 0,
    }
    assert body["completion_rate"] == 0.25
    assert body["average_job_fit_score"] == 10.0
    assert body["score_histogram"] == histogram(b10=1)
    assert body["struggling_rate"] == 0.5  # a5, b2
    assert body["reschedule_rate"] == 0.25  # b2
    assert body["opt_out_rate"] == 0.0
    assert body["expiry_rate"] == 0.25
    assert body["knocked_out"] == 1
    assert body["median_time_to_complete_seconds"] == 300.0
    assert body["active_sessions"] == 2  # live: the window does not apply
    assert [(j["job_id"], j["invited"]) for j in body["jobs"]] == [(JOB_A, 4), (JOB_B, 1)]
    assert body["daily"][-1]["date"] == "2026-03-03"


def test_date_time_window_with_partial_days_at_both_edges(pipeline):
    # [03-01 12:00, 03-04 12:00): a2, a3, a4, a5, a6, a7, b2; not a1, b1 (morning of 03-01), b3, b4 (evening 03-04)
    body = dashboard({"from": "2026-03-01T12:00:00Z", "to": "2026-03-04T14:00:00+02:00"})
    assert body["window"]["from"] == "2026-03-01T12:00:00Z"
    assert body["window"]["to"] == "2026-03-04T12:00:00Z"
    assert body["interviews_by_status"] == by_status(
        completed=2, expired=1, in_progress=1, scheduled=1, opted_out=1, paused=1
    )
    assert body["funnel"] == {
        "invited": 7,
        "started": 5,
        "completed": 2,
        "scored": 2,
        "recommended_to_advance": 0,
    }
    assert body["completion_rate"] == 0.4
    assert body["average_job_fit_score"] == 37.5  # a2 65 (rescored), a3 10
    assert body["score_histogram"] == histogram(b10=1, b60=1)
    assert body["struggling_rate"] == 0.6
    assert body["reschedule_rate"] == 0.4
    assert body["opt_out_rate"] == round(1 / 7, 4)
    assert body["expiry_rate"] == 0.2
    assert body["median_time_to_complete_seconds"] == 1950.0  # 300 and 3600
    assert [(j["job_id"], j["invited"]) for j in body["jobs"]] == [(JOB_A, 6), (JOB_B, 1)]
    assert body["daily"][-1]["date"] == "2026-03-04"


def test_window_within_one_day_and_empty_window(pipeline):
    body = dashboard({"from": "2026-03-01T09:30:00Z", "to": "2026-03-01T12:00:00Z"})
    assert body["funnel"]["invited"] == 1  # b1 at 10:00
    assert body["median_time_to_complete_seconds"] == 86400.0
    empty = dashboard({"from": "2026-03-01T09:30:00Z", "to": "2026-03-01T09:30:00Z"})
    assert empty["funnel"]["invited"] == 0


def test_job_and_window_together(pipeline):
    body = dashboard({"job_id": JOB_A, "from": "2026-03-03"})
    # a5, a6, a7
    assert body["interviews_by_status"] == by_status(in_progress=1, scheduled=1, opted_out=1)
    assert body["completion_rate"] == 0.0
    assert body["average_job_fit_score"] is None
    assert body["median_time_to_complete_seconds"] is None
    assert body["score_histogram"] == histogram()
    assert body["opt_out_rate"] == round(1 / 3, 4)
    assert body["active_sessions"] == 1


def test_a_job_without_interviews_gives_zeros_and_nulls(pipeline):
    body = dashboard({"job_id": JOB_C})
    assert body["interviews_by_status"] == by_status()
    assert body["jobs"] == []
    assert body["active_sessions"] == 0


def test_empty_database_gives_zeros_and_nulls():
    body = dashboard()
    assert body["interviews_by_status"] == by_status()
    assert body["funnel"] == {
        "invited": 0,
        "started": 0,
        "completed": 0,
        "scored": 0,
        "recommended_to_advance": 0,
    }
    for rate in ("completion_rate", "struggling_rate", "reschedule_rate", "opt_out_rate", "expiry_rate"):
        assert body[rate] is None
    assert body["average_job_fit_score"] is None
    assert body["median_time_to_complete_seconds"] is None
    assert body["score_histogram"] == histogram()
    assert body["active_sessions"] == 0
    assert body["knocked_out"] == 0
    assert body["jobs"] == []
    assert len(body["daily"]) == 30 and daily_counts(body) == {}


def test_unknown_job_is_404():
    response = call("GET", "dashboard", params={"job_id": str(uuid.uuid4())})
    assert response.status == 404
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"job_id": "not-a-uuid"}, "job_id"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"to": "2026-03-01T10:00:00 02:00"}, "to"),  # an unencoded '+' arrives as a space
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"from": "2026-03-01T10:00:00Z", "to": "2026-03-01T09:59:59Z"}, "to"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(params, field):
    response = call("GET", "dashboard", params=params)
    assert response.status == 422, response
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_from_on_the_day_of_to_is_allowed():
    assert call("GET", "dashboard", params={"from": "2026-03-01T18:00:00Z", "to": "2026-03-01"}).status == 200


def test_viewer_may_read_and_no_token_is_401():
    viewer = call("POST", "tokens", json={"role": "viewer", "label": "wallboard"}).json()["token"]
    assert call("GET", "dashboard", token=viewer).status == 200
    response = call("GET", "dashboard", token=None)
    assert response.status == 401
    assert response.content_type == "application/problem+json"


def test_dashboard_is_in_the_openapi_document():
    document = call("GET", "openapi.json", token=None).json()
    operation = document["paths"]["/api/dashboard"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"job_id", "from", "to"}


# --- the rollups stay consistent with the tables ----------------------------------------------------------


def rollup_snapshot(cur) -> dict[str, set]:
    cur.execute("SELECT * FROM dashboard_cohorts WHERE invited <> 0 OR scored <> 0")
    cohorts = {tuple(r) for r in cur.fetchall()}
    cur.execute("SELECT * FROM dashboard_daily_activity WHERE invited <> 0 OR started <> 0 OR completed <> 0")
    activity = {tuple(r) for r in cur.fetchall()}
    cur.execute("SELECT * FROM dashboard_completion_times WHERE completions <> 0")
    times = {tuple(r) for r in cur.fetchall()}
    return {"cohorts": cohorts, "activity": activity, "times": times}


def assert_rollups_match_rebuild(database_url: str) -> None:
    """The trigger-maintained rollups equal what dashboard_rebuild() computes from the tables now."""
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cur:
            kept = rollup_snapshot(cur)
            cur.execute("SELECT dashboard_rebuild()")
            rebuilt = rollup_snapshot(cur)
        connection.rollback()
    finally:
        connection.close()
    assert kept == rebuilt


def test_rollups_match_a_rebuild_after_the_fixture_load(pipeline, database_url):
    assert_rollups_match_rebuild(database_url)


def test_rollups_follow_an_interview_through_its_lifecycle_and_erasure(conn, database_url):
    with conn.cursor() as cur:
        insert_job(cur, JOB_A, "Backend Engineer")
        insert_interview(cur, "x", JOB_A, "2026-03-01 09:00Z", "scheduled", None, None, False, 0, False)
        x = interview_id("x")
        steps = [
            "UPDATE interviews SET status = 'in_progress', started_at = '2026-03-01 09:05Z' WHERE id = %s",
            "UPDATE interviews SET attempt = attempt + 1, awaiting_answer = true WHERE id = %s",  # not counted
            "UPDATE interviews SET struggle_count = 2, struggled = true WHERE id = %s",
            "UPDATE interviews SET status = 'paused', reschedule_count = 1 WHERE id = %s",
            "UPDATE interviews SET status = 'in_progress', reschedule_count = 2 WHERE id = %s",
            "UPDATE interviews SET status = 'completed', completed_at = '2026-03-02 09:05Z', "
            "ended_at = '2026-03-02 09:05Z' WHERE id = %s",
        ]
        for statement in steps:
            cur.execute(statement, (x,))
            assert_rollups_match_rebuild(database_url)
        insert_score(cur, "x", 30, "reject", "2026-03-02 10:00Z", 1)
        assert dashboard()["average_job_fit_score"] == 30.0
        insert_score(cur, "x", 85, "advance", "2026-03-03 10:00Z", 2)
        body = dashboard()
        assert (body["average_job_fit_score"], body["funnel"]["recommended_to_advance"]) == (85.0, 1)
        assert body["median_time_to_complete_seconds"] == 86400.0
        assert_rollups_match_rebuild(database_url)
        cur.execute("UPDATE scores SET job_fit_score = 90 WHERE request_number = 2")
        assert dashboard()["average_job_fit_score"] == 90.0
        cur.execute("DELETE FROM scores WHERE request_number = 2")
        assert dashboard()["average_job_fit_score"] == 30.0
        assert_rollups_match_rebuild(database_url)
        # Candidate erasure cascades to the interview, its answers and scores.
        insert_answer(cur, "x", 1, True)
        cur.execute(
            "DELETE FROM candidates WHERE id = (SELECT candidate_id FROM interviews WHERE id = %s)", (x,)
        )
        assert_rollups_match_rebuild(database_url)
        body = dashboard()
        assert body["funnel"]["invited"] == 0 and body["average_job_fit_score"] is None
        assert body["median_time_to_complete_seconds"] is None
        # With no interviews left the job can go, and its rollup rows with it.
        cur.execute("DELETE FROM jobs WHERE id = %s", (JOB_A,))
        cur.execute(
            "SELECT (SELECT count(*) FROM dashboard_cohorts) + (SELECT count(*) FROM dashboard_daily_activity)"
        )
        assert cur.fetchone()[0] == 0


def test_rollups_follow_multi_row_statements_and_moved_interviews(pipeline, conn, database_url):
    with conn.cursor() as cur:
        # Several scores of one interview in one statement, the older one inserted in the same statement.
        cur.execute(
            "INSERT INTO scores (interview_id, request_number, scorer, scorer_version, prompt_version, "
            "job_fit_score, recommendation, details, created_at) VALUES "
            "(%(i)s, 10, 'local', '1', '1', 55, 'hold', '{}', '2026-03-09Z'), "
            "(%(i)s, 11, 'local', '1', '1', 99, 'advance', '{}', '2026-03-08Z')",
            {"i": interview_id("a1")},
        )
        assert_rollups_match_rebuild(database_url)
        cur.execute(
            "DELETE FROM scores WHERE interview_id IN (%s, %s)", (interview_id("a1"), interview_id("a2"))
        )
        assert_rollups_match_rebuild(database_url)
        # An interview moved to another job and day (not something the engine does, but kept correct).
        cur.execute(
            "UPDATE interviews SET job_id = %s, created_at = '2026-03-07 10:00Z' WHERE id = %s",
            (JOB_C, interview_id("b1")),
        )
        assert_rollups_match_rebuild(database_url)
        cur.execute("UPDATE interviews SET status = 'cancelled', ended_at = now() WHERE status = 'scheduled'")
        cur.execute("DELETE FROM candidates WHERE job_id = %s", (JOB_B,))
        assert_rollups_match_rebuild(database_url)


def test_concurrent_rescoring_of_one_interview_counts_only_the_latest(pipeline, database_url):
    first, second = psycopg2.connect(database_url), psycopg2.connect(database_url)
    try:
        with first.cursor() as cur:
            insert_score(cur, "a3", 50, "hold", "2026-03-10 10:00Z", 20)  # holds a3's lock until commit
        errors: list[Exception] = []

        def rescore() -> None:
            try:
                with second.cursor() as cur:
                    insert_score(cur, "a3", 75, "advance", "2026-03-11 10:00Z", 21)
                second.commit()
            except Exception as exc:  # surfaced below
                errors.append(exc)

        thread = threading.Thread(target=rescore)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive(), "the second rescoring should wait for the first"
        first.commit()
        thread.join(10)
        assert not errors
    finally:
        first.close()
        second.close()
    assert_rollups_match_rebuild(database_url)
    body = dashboard({"job_id": JOB_A})
    assert body["funnel"]["scored"] == 3
    assert body["average_job_fit_score"] == round((80 + 65 + 75) / 3, 2)


def test_concurrent_status_changes_in_one_cohort_both_count(pipeline, database_url):
    # a5 and a6 share job A's 2026-03-03 cohort row: two transactions update it at once.
    first, second = psycopg2.connect(database_url), psycopg2.connect(database_url)
    try:
        with first.cursor() as cur:
            cur.execute(
                "UPDATE interviews SET status = 'expired', ended_at = now() WHERE id = %s",
                (interview_id("a5"),),
            )

        def cancel() -> None:
            with second.cursor() as cur:
                cur.execute(
                    "UPDATE interviews SET status = 'cancelled', ended_at = now() WHERE id = %s",
                    (interview_id("a6"),),
                )
            second.commit()

        thread = threading.Thread(target=cancel)
        thread.start()
        first.commit()
        thread.join(10)
    finally:
        first.close()
        second.close()
    assert_rollups_match_rebuild(database_url)
    statuses = dashboard({"job_id": JOB_A, "from": "2026-03-03", "to": "2026-03-03"})["interviews_by_status"]
    assert statuses == by_status(expired=1, cancelled=1)


def test_a_seeded_load_through_the_triggers_matches_a_rebuild_and_the_median_is_exact(database_url):
    from bench.seed import seed
    from shared.data import dashboard as store
    from shared.db import transaction
    from shared.services.dashboard import _median_completion_seconds, parse_window, split_window

    seed(database_url, 400, jobs=4, days=10, through_triggers=True, reset=True)  # raises on drift
    today = date.today()
    windows = [
        (None, None),
        ((today - timedelta(days=4)).isoformat(), None),
        ((today - timedelta(days=6)).isoformat() + "T07:30:00Z", (today - timedelta(days=2)).isoformat()),
    ]
    with transaction() as cur:
        for from_raw, to_raw in windows:
            since, until = parse_window(from_raw, to_raw)
            whole, partial = split_window(since, until)
            expected = store.median_completion_seconds(cur, None, since, until)
            assert expected is not None
            assert _median_completion_seconds(cur, None, since, until, whole, partial) == pytest.approx(
                expected
            )
