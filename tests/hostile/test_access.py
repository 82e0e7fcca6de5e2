"""Every registered HTTP route, called with no token, a viewer, a recruiter and an admin token, against the
intended role table below. A route the table does not name fails the walk: new routes must be classified.

Below the required role the answer is 401 (no or bad token) or 403 (too low a role), whatever the path or
body - so nothing, not even whether an id exists, is told to a caller without the right; at or above it the
answer is never 401/403. The Twilio webhooks take no API token at all: only a valid signature opens them.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from shared.auth import ROLE_RANK
from tests.hostile.webhook_support import OTHER_PHONES, RecordingDurableClient, new_sid, post, twilio_form
from tests.support.functions_host import call, http_functions

OPEN, TWILIO = "open", "twilio-signature"
ROLE_TABLE = {
    ("GET", "/api/health"): OPEN,
    ("GET", "/api/openapi.json"): OPEN,
    # The console's static files are public; the data it shows needs a token.
    ("GET", "/api/console"): OPEN,
    ("GET", "/api/console/{file}"): OPEN,
    ("GET", "/api/me"): "viewer",
    ("GET", "/api/dashboard"): "viewer",
    ("GET", "/api/jobs"): "viewer",
    ("POST", "/api/jobs"): "recruiter",
    ("GET", "/api/jobs/{id}"): "viewer",
    ("PATCH", "/api/jobs/{id}"): "recruiter",
    ("DELETE", "/api/jobs/{id}"): "recruiter",
    ("GET", "/api/candidates"): "viewer",
    ("POST", "/api/candidates"): "recruiter",
    ("GET", "/api/candidates/{id}"): "viewer",
    ("PATCH", "/api/candidates/{id}"): "recruiter",
    ("DELETE", "/api/candidates/{id}"): "recruiter",
    ("GET", "/api/candidates/{id}/resume"): "viewer",
    ("PUT", "/api/candidates/{id}/resume"): "recruiter",
    ("DELETE", "/api/candidates/{id}/resume"): "recruiter",
    ("GET", "/api/interviews"): "viewer",
    ("POST", "/api/interviews"): "recruiter",
    ("GET", "/api/interviews/{id}"): "viewer",
    ("GET", "/api/interviews/{id}/messages"): "viewer",
    ("POST", "/api/interviews/{id}/cancel"): "recruiter",
    ("POST", "/api/interviews/{id}/reschedule"): "recruiter",
    ("POST", "/api/interviews/{id}/score"): "recruiter",
    ("GET", "/api/tokens"): "admin",
    ("POST", "/api/tokens"): "admin",
    ("DELETE", "/api/tokens/{id}"): "admin",
    ("POST", "/api/sms/inbound"): TWILIO,
    ("POST", "/api/sms/status"): TWILIO,
}
CALLERS = ("none", "viewer", "recruiter", "admin")


class DurableClient(RecordingDurableClient):
    async def start_new(self, name: str, instance_id: str | None = None, client_input: Any = None) -> str:
        return instance_id or ""


def registered_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, "/api/" + route)
        for route, _pattern, methods, _function in http_functions()
        for method in methods
    )


@pytest.fixture(scope="module")
def tokens(webhook_env: str) -> dict[str, str | None]:
    """A secret per caller; the admin is a minted admin token (not ADMIN_TOKEN), so every role is a row."""
    minted = {}
    for role in ("viewer", "recruiter", "admin"):
        response = call("POST", "tokens", json={"role": role, "label": f"access walk {role}"})
        assert response.status == 201, response
        minted[role] = response.json()["token"]
    return {"none": None, **minted}


def request(method: str, path: str, token: str | None, **kwargs: Any) -> Any:
    filled = re.sub(r"{\w+}", str(uuid.uuid4()), path)
    body = kwargs.pop("body", b"{}")
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return call(
        method, filled, body=body, token=token, headers=headers, durable_client=DurableClient(), **kwargs
    )


def test_every_registered_route_is_in_the_role_table():
    routes = set(registered_routes())
    assert routes - set(ROLE_TABLE) == set(), "classify the new routes in ROLE_TABLE"
    assert set(ROLE_TABLE) - routes == set(), "ROLE_TABLE names routes that no longer exist"


def test_the_openapi_document_states_the_same_roles():
    document = call("GET", "openapi.json", token=None).json()
    for (method, path), role in ROLE_TABLE.items():
        operation = document["paths"][path][method.lower()]
        if role in (OPEN, TWILIO):
            assert operation["security"] == [], (method, path)
        else:
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert f"Requires the `{role}` role" in operation["description"], (method, path)


@pytest.mark.parametrize("method, path", sorted(ROLE_TABLE))
def test_each_caller_gets_what_the_role_table_says(tokens, method, path):
    required = ROLE_TABLE[(method, path)]
    for caller in CALLERS:
        response = request(method, path, tokens[caller])
        where = f"{method} {path} as {caller}: {response}"
        assert response.status < 500, where
        if required == OPEN:
            assert response.status not in (401, 403), where
        elif required == TWILIO:
            assert response.status == 403, where  # an API token never stands in for Twilio's signature
        elif caller == "none":
            assert response.status == 401, where
            assert response.headers.get("WWW-Authenticate", "").startswith("Bearer"), where
        elif ROLE_RANK[caller] < ROLE_RANK[required]:
            assert response.status == 403, where
            assert json.loads(response.body)["status"] == 403, where
        else:
            assert response.status not in (401, 403), where


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "bearer iai_not-a-token",
        "Bearer iai_" + "A" * 43,
        "Token x",
    ],
)
def test_a_missing_malformed_or_unknown_token_is_401_everywhere(tokens, authorization):
    for method, path in sorted(k for k, v in ROLE_TABLE.items() if v not in (OPEN, TWILIO)):
        response = request(method, path, None, headers={"authorization": authorization})
        assert response.status == 401, f"{method} {path} with {authorization!r}: {response}"


def test_a_revoked_token_is_401(tokens):
    minted = call("POST", "tokens", json={"role": "recruiter", "label": "to revoke"}).json()
    assert request("GET", "/api/jobs", minted["token"]).status == 200
    assert call("DELETE", f"tokens/{minted['id']}").status == 200
    assert request("GET", "/api/jobs", minted["token"]).status == 401
    assert request("POST", "/api/jobs", minted["token"]).status == 401


def test_a_signed_webhook_is_let_in_whatever_token_comes_with_it(tokens):
    for caller in CALLERS:
        headers = {"authorization": f"Bearer {tokens[caller]}"} if tokens[caller] else {}
        pairs = twilio_form(new_sid(), OTHER_PHONES[0], "hello")
        assert post("/api/sms/inbound", pairs, headers=headers).status == 200, caller
        status = [("MessageSid", new_sid()), ("MessageStatus", "delivered")]
        assert post("/api/sms/status", status, headers=headers).status == 200, caller
