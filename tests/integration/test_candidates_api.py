from __future__ import annotations

import uuid

from tests.support.functions_host import call


def make_job() -> dict:
    return call(
        "POST", "jobs", json={"title": "Support Agent", "questions": [{"text": "Why support?"}]}
    ).json()


def test_create_candidate_stores_phone_in_e164_from_national_format():
    job = make_job()
    response = call(
        "POST",
        "candidates",
        json={
            "name": "Ada Lovelace",
            "phone": "(415) 555-0132",
            "email": "ada@example.com",
            "job_id": job["id"],
        },
    )
    assert response.status == 201, response
    candidate = response.json()
    assert candidate["phone"] == "+14155550132"
    assert candidate["job_id"] == job["id"]
    assert candidate["opted_out"] is False
    assert candidate["resume"] is None
    assert call("GET", f"candidates/{candidate['id']}").json() == candidate


def test_international_number_and_consent_timestamp():
    candidate = call(
        "POST", "candidates", json={"name": "Grace", "phone": "+44 20 7946 0958", "sms_consent": True}
    ).json()
    assert candidate["phone"] == "+442079460958"
    assert candidate["sms_consent"] is True
    assert candidate["consent_at"] is not None


def test_invalid_phone_email_and_unknown_job_are_422_naming_the_field():
    bad_phone = call("POST", "candidates", json={"name": "X", "phone": "12"})
    assert bad_phone.status == 422
    assert bad_phone.json()["errors"][0]["field"] == "phone"
    bad_email = call("POST", "candidates", json={"name": "X", "phone": "+14155550132", "email": "nope"})
    assert bad_email.status == 422
    assert bad_email.json()["errors"][0]["field"] == "email"
    unknown_job = call(
        "POST", "candidates", json={"name": "X", "phone": "+14155550132", "job_id": str(uuid.uuid4())}
    )
    assert unknown_job.status == 422
    assert unknown_job.json()["errors"][0]["field"] == "job_id"


def test_patch_candidate_updates_phone_and_withdraws_consent():
    candidate = call(
        "POST", "candidates", json={"name": "Alan", "phone": "+14155550100", "sms_consent": True}
    ).json()
    response = call(
        "PATCH", f"candidates/{candidate['id']}", json={"phone": "415-555-0199", "sms_consent": False}
    )
    assert response.status == 200, response
    updated = response.json()
    assert updated["phone"] == "+14155550199"
    assert updated["sms_consent"] is False
    assert updated["consent_at"] is None
    assert updated["name"] == "Alan"
    assert call("PATCH", f"candidates/{candidate['id']}", json={"name": None}).status == 422
    assert call("PATCH", f"candidates/{uuid.uuid4()}", json={"name": "x"}).status == 404


def test_phone_change_is_409_while_an_interview_is_active(database_url):
    import psycopg2

    job = make_job()
    candidate = call("POST", "candidates", json={"name": "Busy", "phone": "+14155550111"}).json()
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO interviews (candidate_id, job_id, phone_e164, status, question_count) "
            "VALUES (%s, %s, %s, 'in_progress', 1)",
            (candidate["id"], job["id"], candidate["phone"]),
        )
    assert call("PATCH", f"candidates/{candidate['id']}", json={"phone": "+14155550112"}).status == 409
    assert call("PATCH", f"candidates/{candidate['id']}", json={"name": "Still Busy"}).status == 200


def test_list_candidates_filters_by_job_and_search_and_paginates():
    job_a, job_b = make_job(), make_job()
    names = ["Alice Smith", "Bob Stone", "Carol Smithers", "Dan Brown"]
    for index, name in enumerate(names):
        call(
            "POST",
            "candidates",
            json={
                "name": name,
                "phone": f"+1415555{index:04d}",
                "job_id": job_a["id"] if index < 3 else job_b["id"],
            },
        )
    by_job = call("GET", "candidates", params={"job_id": job_a["id"]}).json()["items"]
    assert sorted(c["name"] for c in by_job) == ["Alice Smith", "Bob Stone", "Carol Smithers"]
    smiths = call("GET", "candidates", params={"q": "smith"}).json()["items"]
    assert sorted(c["name"] for c in smiths) == ["Alice Smith", "Carol Smithers"]
    by_digits = call("GET", "candidates", params={"q": "5550003"}).json()["items"]
    assert [c["name"] for c in by_digits] == ["Dan Brown"]
    wildcard = call("GET", "candidates", params={"q": "%"}).json()["items"]
    assert wildcard == []
    first = call("GET", "candidates", params={"limit": 3}).json()
    second = call("GET", "candidates", params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 1 and second["next_cursor"] is None
    assert call("GET", "candidates", params={"job_id": "nope"}).status == 422


def test_sql_shaped_text_is_stored_verbatim():
    name = "Robert'); DROP TABLE candidates;--"
    candidate = call("POST", "candidates", json={"name": name, "phone": "+14155550123"}).json()
    assert call("GET", f"candidates/{candidate['id']}").json()["name"] == name
