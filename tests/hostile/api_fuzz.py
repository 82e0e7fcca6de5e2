"""Schemathesis against the API of a running devhost: seed real resources, run the CLI with our hooks
(tests/hostile/schemathesis_hooks.py), read back the figures. Used by tests/hostile/test_api_fuzz.py at the
suite's size and by bench/fuzz_api.py at full size.

The CLI rather than the pytest plugin: it runs every phase (coverage's boundary values found bugs the random
fuzzing did not), and the plugin does not run under our pytest 9.2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parents[2]
# What every answer must satisfy: no 5xx, a documented status, a documented content type, a body matching the
# documented schema. (Checks on whether invalid input is refused are left out: the API validates more than
# the document can say - references that exist, phone numbers that parse - and refusing is not a bug.)
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
PHASES = "examples,coverage,fuzzing,stateful"
FRESH = "fresh-resource-for-this-call"  # a path id replaced, just before the call, by a new resource's id
# Operations that destroy what they are given, and the kind of resource each gets made for one call.
DESTRUCTIVE = {
    ("DELETE", "/api/jobs/{id}"): "job",
    ("DELETE", "/api/candidates/{id}"): "candidate",
    ("DELETE", "/api/candidates/{id}/resume"): "candidate with resume",
    ("DELETE", "/api/tokens/{id}"): "token",
    ("POST", "/api/interviews/{id}/cancel"): "interview",
}


class Api:
    """The recruiter API of one devhost, as the admin."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        response = self.session.request(method, self.url + path, json=body, timeout=30, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:300]}"
        return response.json() if response.content else None


def job_body(title: str) -> dict[str, Any]:
    # A one-minute quiet window twelve hours away (in the seeded numbers' zone): questions go out at once.
    quiet = (datetime.now(ZoneInfo("America/Los_Angeles")) + timedelta(hours=12)).replace(
        second=0, microsecond=0
    )
    return {
        "title": title,
        "requirements": ["Python"],
        "questions": [{"text": "Years of Python?"}, {"text": "Authorised to work?", "knockout": True,
                                                       "expected_answer": "yes"}],
        "interview_settings": {"greeting_enabled": False, "quiet_hours_start": f"{quiet:%H:%M}",
                               "quiet_hours_end": f"{quiet + timedelta(minutes=1):%H:%M}"},
    }  # fmt: skip


def upload_resume(api: Api, candidate_id: str) -> None:
    from shared.resumes.files import PDF
    from tests.support.documents import make_pdf

    api("PUT", f"/api/candidates/{candidate_id}/resume", data=make_pdf(["Fuzz Candidate, welder"]),
        headers={"Content-Type": PDF})  # fmt: skip


def fresh_resource(api: Api, kind: str, new_phone: Callable[[], str]) -> str:
    """A resource made for one destructive call; returns its id."""
    if kind == "token":
        return api("POST", "/api/tokens", {"role": "viewer", "label": "fuzz: to be revoked"})["id"]
    job = api("POST", "/api/jobs", job_body("Fresh job"))
    if kind == "job":
        return job["id"]
    candidate = api("POST", "/api/candidates", {"name": "Fresh", "phone": new_phone(), "sms_consent": True})
    if kind == "candidate with resume":
        upload_resume(api, candidate["id"])
    if kind == "interview":
        return api("POST", "/api/interviews", {"candidate_id": candidate["id"], "job_id": job["id"]})["id"]
    return candidate["id"]


def seed_resources(api: Api) -> dict[str, Any]:
    """Real resources the cases may name: a job, candidates (one with a resume), an interview waiting for an
    answer and a completed one (which can be rescored)."""
    job = api("POST", "/api/jobs", job_body("Fuzzed job"))
    candidates = [
        api(
            "POST",
            "/api/candidates",
            {"name": f"Fuzz {n}", "phone": f"+14155550{n + 300}", "sms_consent": True, "job_id": job["id"]},
        )["id"]  # fmt: skip
        for n in range(3)
    ]
    upload_resume(api, candidates[0])
    active = api("POST", "/api/interviews", {"candidate_id": candidates[0], "job_id": job["id"]})
    completed = api("POST", "/api/interviews", {"candidate_id": candidates[1], "job_id": job["id"]})
    for question, answer in (("Years of Python?", "Six years"), ("Authorised to work?", "yes")):
        wait_until(lambda q=question: any(q in m["body"] for m in api("GET", "/dev/sms/outbox", params={"to": "+14155550301"})["messages"]))  # fmt: skip
        api("POST", "/dev/sms/inbound", {"from": "+14155550301", "body": answer})
    wait_until(lambda: api("GET", f"/api/interviews/{completed['id']}")["status"] == "completed")
    return {
        "job_id": job["id"],
        "candidate_ids": candidates,
        "interview_ids": [active["id"], completed["id"]],
    }


def wait_until(done: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the seeded interview did not progress"
        time.sleep(0.1)


@dataclass
class FuzzRun:
    returncode: int
    output: str
    seconds: float
    figures: dict[str, Any]

    @property
    def summary(self) -> str:
        """The CLI's closing summary (its failures, if any, come before it)."""
        marker = self.output.rfind("SUMMARY")
        return self.output[marker - 40 :] if marker >= 0 else self.output[-3000:]


def run_schemathesis(url: str, token: str, workdir: Path, examples: int, seed: int | None = None,
                     timeout: float = 3600) -> FuzzRun:  # fmt: skip
    """Seed resources, then run every phase of schemathesis with `examples` cases per operation."""
    ids = seed_resources(Api(url, token))
    data_path, report_path = workdir / "fuzz-data.json", workdir / "fuzz-report.json"
    data_path.write_text(json.dumps({"url": url, "token": token, **ids}))
    report_path.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{url}/api/openapi.json",
        "--checks", CHECKS, "--phases", PHASES, "--max-examples", str(examples),
        "--header", f"Authorization: Bearer {token}", "--generation-database", "none",
        "--request-timeout", "30", "--workers", "1", "--no-color", "--warnings", "off",
    ]  # fmt: skip
    if seed is not None:
        command += ["--seed", str(seed)]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.hostile.schemathesis_hooks", "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "HOSTILE_FUZZ_DATA": str(data_path), "HOSTILE_FUZZ_REPORT": str(report_path), "COLUMNS": "120"}  # fmt: skip
    started = time.monotonic()
    # Run in `workdir`: the CLI keeps its crash cache (for `st replay`) under ./.schemathesis.
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - started
    figures = json.loads(report_path.read_text()) if report_path.exists() else {}
    return FuzzRun(done.returncode, done.stdout + done.stderr, seconds, figures)
