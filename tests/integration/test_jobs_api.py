from __future__ import annotations

import uuid

from tests.support.functions_host import call


def job_body(**overrides):
    body = {
        "title": "Backend Engineer",
        "description": "Builds APIs",
        "requirements": ["Python", "PostgreSQL"],
        "questions": [
            {"text": "How many years of Python?", "ideal_answer": "5+ years, production services"},
            {"text": "Are you authorised to work in the US?", "knockout": True, "expected_answer": "yes"},
        ],
    }
    body.update(overrides)
    return body


def test_create_job_echoes_questions_in_order_with_ids():
    response = call("POST", "jobs", json=job_body())
    assert response.status == 201, response
    job = response.json()
    assert uuid.UUID(job["id"])
    assert [q["text"] for q in job["questions"]] == [
        "How many years of Python?",
        "Are you authorised to work in the US?",
    ]
    assert [q["position"] for q in job["questions"]] == [1, 2]
    assert job["questions"][1]["knockout"] is True
    assert job["interview_settings"]["struggle_threshold"] == 2
    assert job["interview_settings"]["quiet_hours_start"] == "21:00"
    fetched = call("GET", f"jobs/{job['id']}").json()
    assert fetched == job


def test_create_job_validation_names_the_fields():
    response = call(
        "POST",
        "jobs",
        json=job_body(
            title="",
            questions=[{"text": "Q", "knockout": True}],
            interview_settings={"timezone": "Mars/Base"},
        ),
    )
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"title", "questions.0", "interview_settings.timezone"} <= fields


def test_create_job_rejects_unknown_fields_and_empty_question_list():
    assert call("POST", "jobs", json=job_body(salary=100)).status == 422
    assert call("POST", "jobs", json=job_body(questions=[])).status == 422


def test_malformed_json_is_400_and_wrong_content_type_is_415():
    bad = call("POST", "jobs", body=b"{not json", headers={"content-type": "application/json"})
    assert bad.status == 400
    assert bad.json()["status"] == 400
    assert call("POST", "jobs", body=b"[1, 2]", headers={"content-type": "application/json"}).status == 400
    wrong = call(
        "POST", "jobs", body=b"title=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert wrong.status == 415


def test_oversized_body_is_413():
    huge = b'{"title": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    assert call("POST", "jobs", body=huge, headers={"content-type": "application/json"}).status == 413


def test_unknown_or_malformed_job_id_is_404():
    assert call("GET", f"jobs/{uuid.uuid4()}").status == 404
    assert call("GET", "jobs/not-a-uuid").status == 404
    assert call("PATCH", f"jobs/{uuid.uuid4()}", json={"title": "x"}).status == 404
    assert call("DELETE", f"jobs/{uuid.uuid4()}").status == 404


def test_patch_changes_only_given_fields_and_replaces_questions_keeping_ids():
    job = call("POST", "jobs", json=job_body()).json()
    first = job["questions"][0]
    response = call(
        "PATCH",
        f"jobs/{job['id']}",
        json={
            "title": "Senior Backend Engineer",
            "interview_settings": {"reminder_count": 3},
            "questions": [
                {"text": "New first question?"},
                {"id": first["id"], "text": "How many years of Python, roughly?"},
            ],
        },
    )
    assert response.status == 200, response
    updated = response.json()
    assert updated["title"] == "Senior Backend Engineer"
    assert updated["description"] == "Builds APIs"
    assert updated["interview_settings"]["reminder_count"] == 3
    assert updated["interview_settings"]["struggle_threshold"] == 2
    assert [q["text"] for q in updated["questions"]] == [
        "New first question?",
        "How many years of Python, roughly?",
    ]
    assert updated["questions"][1]["id"] == first["id"]
    assert updated["questions"][1]["position"] == 2


def test_patch_with_foreign_question_id_is_422_and_null_title_is_422():
    job = call("POST", "jobs", json=job_body()).json()
    other = call("POST", "jobs", json=job_body()).json()
    foreign = {"id": other["questions"][0]["id"], "text": "x"}
    assert call("PATCH", f"jobs/{job['id']}", json={"questions": [foreign]}).status == 422
    assert call("PATCH", f"jobs/{job['id']}", json={"title": None}).status == 422


def test_delete_job_then_it_is_gone():
    job = call("POST", "jobs", json=job_body()).json()
    assert call("DELETE", f"jobs/{job['id']}").status == 204
    assert call("GET", f"jobs/{job['id']}").status == 404


def test_list_jobs_paginates_without_gaps_or_repeats_and_filters_by_status():
    created = [
        call("POST", "jobs", json=job_body(title=f"Job {i}", status="open" if i % 2 else "draft")).json()
        for i in range(7)
    ]
    seen, cursor = [], None
    while True:
        page = call("GET", "jobs", params={"limit": 3, "cursor": cursor}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [job["id"] for job in reversed(created)]
    drafts = call("GET", "jobs", params={"status": "draft"}).json()["items"]
    assert {j["title"] for j in drafts} == {"Job 0", "Job 2", "Job 4", "Job 6"}
    assert drafts[0]["question_count"] == 2


def test_list_jobs_rejects_bad_filters():
    assert call("GET", "jobs", params={"status": "archived"}).status == 422
    assert call("GET", "jobs", params={"limit": 0}).status == 422
    assert call("GET", "jobs", params={"limit": "ten"}).status == 422
    assert call("GET", "jobs", params={"cursor": "garbage!!"}).status == 422
