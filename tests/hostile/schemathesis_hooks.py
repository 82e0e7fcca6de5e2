"""Schemathesis hooks for fuzzing the API of a running devhost (loaded by the CLI through SCHEMATHESIS_HOOKS).

HOSTILE_FUZZ_DATA names a JSON file written by the test: the devhost URL, the admin token, and ids of real
resources. With them the generated cases can reach past "404 no such id":
- path ids are sometimes real ones, and bodies sometimes carry real references, phone numbers that parse
  and times and zones that exist;
- operations that destroy what they are given (every DELETE, cancelling an interview) get a resource made
  for that one call, so they cannot take away what the other operations are fuzzed against. The admin token
  in use is ADMIN_TOKEN, which no API call can revoke; DELETE /api/tokens/{id} sees random ids or tokens
  minted for it;
- requests to the Twilio webhooks are signed over exactly the form that is sent.
Every answer's status is counted into HOSTILE_FUZZ_REPORT (JSON) when the run ends.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import time
from collections import Counter
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import schemathesis
from hypothesis import strategies as st

from shared.resumes.files import DOCX, PDF
from tests.hostile.api_fuzz import DESTRUCTIVE, FRESH, Api, fresh_resource
from tests.hostile.webhook_support import twilio_signature
from tests.support.documents import make_docx, make_pdf

WEBHOOKS = {"/api/sms/inbound", "/api/sms/status"}
_phones = itertools.count(1000)  # the seeding process numbers its candidates below 1000
_sids = itertools.count(1)
_statuses: Counter = Counter()
_started = time.monotonic()


@cache
def data() -> dict[str, Any]:
    with open(os.environ["HOSTILE_FUZZ_DATA"], encoding="utf-8") as source:
        return json.load(source)


@cache
def devhost_api() -> Api:
    return Api(data()["url"], data()["token"])


def new_phone() -> str:
    return f"+1415555{next(_phones) % 10000:04d}"


def real_ids(path: str) -> list[str]:
    if path.startswith("/api/jobs/"):
        return [data()["job_id"]]
    if path.startswith("/api/candidates/"):
        return data()["candidate_ids"]
    if path.startswith("/api/interviews/"):
        return data()["interview_ids"]
    return []


def realistic(body: dict[str, Any]) -> dict[str, Any]:
    """The body with the values the API checks beyond the document made valid."""
    replacements = {
        "candidate_id": lambda: FRESH,  # a new consenting candidate, so that interviews can start
        "job_id": lambda: data()["job_id"],
        "phone": new_phone,
        "quiet_hours_start": lambda: "21:00",
        "quiet_hours_end": lambda: "08:00",
        "timezone": lambda: "Europe/Madrid",
        "email": lambda: "ana@example.com",
    }
    result = {}
    for key, value in body.items():
        if key in replacements and value is not None:
            result[key] = replacements[key]()
        elif isinstance(value, dict):
            result[key] = realistic(value)
        else:
            result[key] = value
    return result


@schemathesis.hook
def flatmap_path_parameters(ctx: Any, path_parameters: dict[str, Any]) -> st.SearchStrategy:
    operation = (ctx.operation.method.upper(), ctx.operation.path)
    real = [FRESH] if operation in DESTRUCTIVE else real_ids(ctx.operation.path)
    if "id" not in (path_parameters or {}) or not real:
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters), st.sampled_from(real).map(lambda i: {**path_parameters, "id": i})
    )


@schemathesis.hook
def flatmap_body(ctx: Any, body: Any) -> st.SearchStrategy:
    if not isinstance(body, dict):
        return st.just(body)
    if ctx.operation.path in WEBHOOKS:  # a generated form with the fields Twilio always sends added
        return st.one_of(st.just(body), st.builds(lambda: {**twilio_fields(), **body}))
    return st.one_of(st.just(body), st.builds(lambda: realistic(body)))


def twilio_fields() -> dict[str, str]:
    sid = f"SM{next(_sids):032x}"
    return {"MessageSid": sid, "SmsSid": sid, "From": new_phone(), "To": "+15005550006", "Body": "fuzz",
            "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32}  # fmt: skip


class TwilioSigner(requests.auth.AuthBase):
    """Signs the request exactly as sent: its URL and the form parsed from its final body."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        params: dict[str, list[str]] = {}
        for key, value in parse_qsl(text, keep_blank_values=True):
            params.setdefault(key, []).append(value)
        parts = urlsplit(request.url)
        url = f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        request.headers["X-Twilio-Signature"] = twilio_signature(url, params)
        return request


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    operation = (case.operation.method.upper(), case.operation.path)
    if (case.path_parameters or {}).get("id") == FRESH:
        made = fresh_resource(devhost_api(), DESTRUCTIVE[operation], new_phone)
        case.path_parameters = {**case.path_parameters, "id": made}
    if isinstance(case.body, dict) and case.body.get("candidate_id") == FRESH:
        made = fresh_resource(devhost_api(), "candidate", new_phone)
        case.body = {**case.body, "candidate_id": made}
    if case.operation.path in WEBHOOKS:
        kwargs["auth"] = TwilioSigner()


@schemathesis.hook
def after_call(ctx: Any, case: Any, response: Any) -> None:
    _statuses[(f"{case.operation.method.upper()} {case.operation.path}", response.status_code)] += 1


@schemathesis.serializer(PDF)
def pdf_body(ctx: Any, value: Any) -> bytes:
    """The document says "a PDF file": an empty generated value becomes a real PDF, others go as bytes."""
    return make_pdf(["Fuzz Candidate, welder"]) if value == "" else as_bytes(value)


@schemathesis.serializer(DOCX)
def docx_body(ctx: Any, value: Any) -> bytes:
    return make_docx(["Fuzz Candidate, welder"]) if value == "" else as_bytes(value)


def as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


@atexit.register
def write_report() -> None:
    path = os.environ.get("HOSTILE_FUZZ_REPORT")
    if not path or not _statuses:
        return
    by_operation: dict[str, Counter] = {}
    for (operation, status), count in _statuses.items():
        by_operation.setdefault(operation, Counter())[str(status)] += count
    figures = {
        "operations": len(by_operation),
        "requests": sum(_statuses.values()),
        "seconds": round(time.monotonic() - _started, 1),
        "by_operation": {op: dict(sorted(c.items())) for op, c in sorted(by_operation.items())},
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(figures, out, indent=2)
