"""The recruiter API against fixed hostile shapes, in-process: text PostgreSQL cannot store, and whether the
OpenAPI document admits the answers those shapes get. Each was found by fuzzing the API.
"""

from __future__ import annotations

import uuid

import pytest

from tests.support.functions_host import call


@pytest.fixture(autouse=True)
def _database(clean_db: str) -> None:
    """Every test starts from empty tables."""


def job_body(**overrides):
    return {"title": "Welder", "questions": [{"text": "Years of TIG welding?"}], **overrides}


def test_nul_in_a_json_body_is_422_naming_every_field_not_a_500():
    body = job_body(
        title="Wel\x00der",
        requirements=["ok", "bad\x00"],
        questions=[{"text": "fine?"}, {"text": "Q\x00?", "ideal_answer": "\x00"}],
    )
    response = call("POST", "jobs", json=body)
    assert response.status == 422, response
    assert response.content_type == "application/problem+json"
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"title", "requirements.1", "questions.1.text", "questions.1.ideal_answer"}
    assert call("GET", "jobs").json()["items"] == []


def test_nul_in_a_patch_and_in_a_candidate_is_422():
    job = call("POST", "jobs", json=job_body()).json()
    assert call("PATCH", f"jobs/{job['id']}", json={"description": "a\x00"}).status == 422
    candidate = {"name": "Ana\x00", "phone": "+14155550123", "sms_consent": True}
    response = call("POST", "candidates", json=candidate)
    assert response.status == 422
    assert response.json()["errors"] == [
        {"field": "name", "message": "must not contain NUL (U+0000) characters"}
    ]


@pytest.mark.parametrize(
    "path, params",
    [
        ("candidates", {"q": "ana\x00"}),
        ("jobs", {"cursor": "\x00"}),
        ("interviews", {"status": "completed\x00"}),
        ("dashboard", {"from": "2026-01-01\x00"}),
        ("tokens", {"include_revoked": "true\x00"}),
    ],
)
def test_nul_in_a_query_parameter_is_422_not_a_500(path, params):
    response = call("GET", path, params=params)
    assert response.status == 422, response
    assert response.json()["errors"][0]["field"] == next(iter(params))


def test_nul_in_a_resume_file_name_is_422_and_documented():
    candidate = call("POST", "candidates", json={"name": "Ana", "phone": "+14155550123"}).json()
    response = call(
        "PUT",
        f"candidates/{candidate['id']}/resume",
        body=b"%PDF-1.4",
        headers={"content-type": "application/pdf"},
        params={"file_name": "cv\x00.pdf"},
    )
    assert response.status == 422, response
    document = call("GET", "openapi.json", token=None).json()
    assert "422" in document["paths"]["/api/candidates/{id}/resume"]["put"]["responses"]


def test_every_operation_with_query_parameters_documents_422():
    document = call("GET", "openapi.json", token=None).json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if any(p["in"] == "query" for p in operation["parameters"]):
                assert "422" in operation["responses"], f"{method.upper()} {path}"


def test_a_path_id_that_is_not_a_uuid_is_404_whatever_it_holds():
    for raw in ("\x00", "%00", "' OR 1=1 --", "../jobs", "🙂", str(uuid.uuid4()) + "\n"):
        response = call("GET", f"jobs/{raw}")
        assert response.status == 404, (raw, response)


def test_the_resume_download_documents_the_file_types_it_streams():
    document = call("GET", "openapi.json", token=None).json()
    content = document["paths"]["/api/candidates/{id}/resume"]["get"]["responses"]["200"]["content"]
    assert set(content) == {
        "application/json",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }


@pytest.mark.parametrize("depth", [900, 990, 5000, 200_000])
def test_json_nested_too_deeply_is_400_not_a_500(depth):
    body = ('{"title": ' + "[" * depth + "]" * depth + ', "questions": [{"text": "a\\u0000"}]}').encode()
    response = call("POST", "jobs", body=body, headers={"content-type": "application/json"})
    assert response.status in (400, 413, 422), response


@pytest.mark.parametrize(
    "params",
    [
        {"from": "9999-12-31T23:59:59"},
        {"from": "0001-01-01", "to": "0001-01-01"},
        {"to": "9999-12-31T23:59:59-23:59"},
    ],
)
def test_dashboard_dates_at_the_calendars_ends_are_422_not_a_500(params):
    response = call("GET", "dashboard", params=params)
    assert response.status == 422, response
    assert response.json()["errors"][0]["field"] in params
