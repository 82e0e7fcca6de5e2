from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.functions_host import call


def mint(role: str) -> str:
    response = call("POST", "tokens", json={"role": role, "label": f"{role} test"})
    assert response.status == 201, response
    return response.json()["token"]


def test_missing_or_malformed_or_unknown_token_is_401_problem():
    for headers in (
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer nope"},
    ):
        response = call("GET", "jobs", token=None, headers=headers)
        assert response.status == 401
        assert response.content_type == "application/problem+json"
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "allowed"),
    [
        ("viewer", "GET", "jobs", None, True),
        ("viewer", "POST", "jobs", {"title": "x", "questions": [{"text": "q"}]}, False),
        ("viewer", "GET", "tokens", None, False),
        ("recruiter", "POST", "jobs", {"title": "x", "questions": [{"text": "q"}]}, True),
        ("recruiter", "POST", "candidates", {"name": "x", "phone": "+14155550100"}, True),
        ("recruiter", "GET", "tokens", None, False),
        ("recruiter", "POST", "tokens", {"role": "admin", "label": "escalate"}, False),
        ("admin", "GET", "tokens", None, True),
    ],
)
def test_role_rules(role, method, path, body, allowed):
    token = mint(role)
    response = call(method, path, json=body, token=token)
    if allowed:
        assert response.status in (200, 201), response
    else:
        assert response.status == 403, response
        assert response.json()["title"] == "Forbidden"


def test_token_is_shown_once_stored_hashed_listed_and_revocable(database_url):
    import psycopg2

    created = call("POST", "tokens", json={"role": "viewer", "label": "dashboard screen"}).json()
    secret = created["token"]
    assert secret.startswith("iai_") and len(secret) > 40
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT token_hash FROM api_tokens WHERE id = %s", (created["id"],))
        stored = cur.fetchone()[0]
    assert secret not in stored and len(stored) == 64
    assert call("GET", "jobs", token=secret).status == 200
    listed = call("GET", "tokens").json()["items"]
    assert [t["label"] for t in listed] == ["dashboard screen"]
    assert "token" not in listed[0] and listed[0]["last_used_at"] is not None
    assert call("DELETE", f"tokens/{created['id']}").status == 200
    assert call("GET", "jobs", token=secret).status == 401
    assert call("GET", "tokens").json()["items"] == []
    assert len(call("GET", "tokens", params={"include_revoked": "true"}).json()["items"]) == 1


def test_create_token_cli_mints_a_working_admin_token(database_url):
    result = subprocess.run(
        [sys.executable, "-m", "shared.auth", "create-token", "--role", "admin", "--label", "ops"],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "DATABASE_URL": database_url},
    )
    token = result.stdout.strip()
    assert call("GET", "tokens", token=token).status == 200


def test_health_is_open_and_checks_the_database():
    response = call("GET", "health", token=None)
    assert response.status == 200
    assert response.json()["database"] == "ok"


@pytest.mark.parametrize("role", ["viewer", "recruiter", "admin"])
def test_me_reports_the_minted_tokens_role_and_label(role):
    created = call("POST", "tokens", json={"role": role, "label": f"{role} console"}).json()
    response = call("GET", "me", token=created["token"])
    assert response.status == 200, response
    assert response.json() == {"role": role, "label": f"{role} console", "token_id": created["id"]}


def test_me_for_the_admin_token_setting_has_no_token_id():
    assert call("GET", "me").json() == {"role": "admin", "label": "ADMIN_TOKEN", "token_id": None}


def test_me_refuses_missing_and_revoked_tokens():
    assert call("GET", "me", token=None).status == 401
    created = call("POST", "tokens", json={"role": "viewer", "label": "gone"}).json()
    assert call("DELETE", f"tokens/{created['id']}").status == 200
    response = call("GET", "me", token=created["token"])
    assert response.status == 401
    assert response.content_type == "application/problem+json"
