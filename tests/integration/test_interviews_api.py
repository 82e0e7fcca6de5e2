"""Recruiter interview API rules against the real database (starting orchestrations is covered in e2e)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest

from shared.errors import Conflict, ValidationFailed
from shared.schemas.interviews import InterviewCreate
from shared.services import interviews
from tests.support.factories import insert_interview, make_candidate, make_job
from tests.support.functions_host import call


def create(candidate, job, **extra):
    return interviews.create_interview(InterviewCreate(candidate_id=candidate.id, job_id=job.id, **extra))


def test_create_stores_a_scheduled_interview_with_the_candidates_time_zone(clean_db):
    job = make_job()
    candidate = make_candidate(phone="+442079460958")
    interview = create(candidate, job)
    assert interview.status == "scheduled" and interview.progress.total == 2
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT timezone FROM interviews")
        assert cur.fetchone()[0] == "Europe/London"


@pytest.mark.parametrize("case", ["no_consent", "opted_out", "active", "closed_job"])
def test_create_conflicts(clean_db, case):
    job = make_job()
    candidate = make_candidate(consent=case != "no_consent")
    if case == "opted_out":
        with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO sms_opt_outs (phone_e164, keyword) VALUES (%s, 'STOP')", (candidate.phone,)
            )
    if case == "active":
        insert_interview(clean_db, candidate, job, status="paused")
    if case == "closed_job":
        call("PATCH", f"jobs/{job.id}", json={"status": "closed"})
    with pytest.raises(Conflict):
        create(candidate, job)


def test_create_validates_references_and_start_time(clean_db):
    job, candidate = make_job(), make_candidate()
    with pytest.raises(ValidationFailed) as error:
        interviews.create_interview(InterviewCreate(candidate_id=uuid.uuid4(), job_id=job.id))
    assert error.value.errors[0]["field"] == "candidate_id"
    with pytest.raises(ValidationFailed) as error:
        create(candidate, job, start_at=datetime.now(UTC) + timedelta(days=45))
    assert error.value.errors[0]["field"] == "start_at"


def test_start_at_must_carry_an_offset(clean_db):
    job, candidate = make_job(), make_candidate()
    response = call("POST", "interviews", json={"candidate_id": str(candidate.id), "job_id": str(job.id),
                                                "start_at": "2026-12-01T10:00:00"})  # fmt: skip
    assert response.status == 422


def test_list_filters_and_detail(clean_db):
    job_a, job_b = make_job(), make_job()
    first = make_candidate(phone="+14155550100")
    second = make_candidate(phone="+14155550101")
    a = insert_interview(clean_db, first, job_a, status="completed")
    b = insert_interview(
        clean_db, second, job_b, status="in_progress", current_question=1, awaiting_answer=True
    )
    by_status = call("GET", "interviews", params={"status": "completed"}).json()["items"]
    assert [i["id"] for i in by_status] == [a]
    by_job = call("GET", "interviews", params={"job_id": str(job_b.id)}).json()["items"]
    assert [i["id"] for i in by_job] == [b]
    assert by_job[0]["progress"] == {"answered": 0, "total": 2, "current_question": 1}
    assert call("GET", "interviews", params={"status": "bogus"}).status == 422
    detail = call("GET", f"interviews/{a}").json()
    assert detail["score"] is None and detail["answers"] == []
    assert call("GET", f"interviews/{uuid.uuid4()}").status == 404


def test_cancel_and_reschedule_refuse_finished_interviews(clean_db):
    job, candidate = make_job(), make_candidate()
    done = insert_interview(clean_db, candidate, job, status="completed")
    with pytest.raises(Conflict):
        interviews.cancel_interview(uuid.UUID(done))
    from shared.schemas.interviews import RescheduleRequest

    with pytest.raises(Conflict):
        interviews.reschedule_interview(uuid.UUID(done), RescheduleRequest(start_at=datetime.now(UTC)))


def test_reschedule_names_the_next_control_event(clean_db):
    job, candidate = make_job(), make_candidate()
    active = insert_interview(clean_db, candidate, job, status="in_progress")
    from shared.schemas.interviews import RescheduleRequest

    start = datetime.now(UTC) + timedelta(hours=3)
    _, first = interviews.reschedule_interview(uuid.UUID(active), RescheduleRequest(start_at=start))
    _, second = interviews.reschedule_interview(uuid.UUID(active), RescheduleRequest(start_at=start))
    assert (first.name, second.name) == ("control_1", "control_2")
    assert first.payload["action"] == "reschedule"


def test_viewer_cannot_start_or_cancel(clean_db):
    token = call("POST", "tokens", json={"role": "viewer", "label": "v"}).json()["token"]
    job, candidate = make_job(), make_candidate()
    body = {"candidate_id": str(candidate.id), "job_id": str(job.id)}
    assert call("POST", "interviews", json=body, token=token).status == 403
    assert call("POST", f"interviews/{uuid.uuid4()}/cancel", token=token).status == 403
