"""Schemathesis against GET /api/openapi.json of a running devhost, with an admin token: every operation,
valid and invalid generated cases, each answer checked for no 5xx, a documented status, a documented content
type and a body matching the documented schema (see tests/hostile/api_fuzz.py and schemathesis_hooks.py).

HOSTILE_FUZZ_EXAMPLES sets the cases per operation (the suite's default is sized to run in about a minute;
bench/fuzz_api.py runs 500).
"""

from __future__ import annotations

import os

import pytest
import requests

from tests.hostile.api_fuzz import run_schemathesis
from tests.hostile.conftest import FUZZ_EXAMPLES
from tests.support.functions_host import call

pytestmark = [pytest.mark.fuzz, pytest.mark.e2e]


def test_every_operation_answers_as_its_openapi_document_says(hostile_devhost, tmp_path):
    seed = os.environ.get("HOSTILE_FUZZ_SEED")
    run = run_schemathesis(hostile_devhost.url, hostile_devhost.token, tmp_path, FUZZ_EXAMPLES,
                           seed=int(seed) if seed else None, timeout=600)  # fmt: skip
    assert run.returncode == 0, run.output[-12000:]
    # Schemathesis does not call the operation that served the document it loaded; the last test here does.
    served = {f"{op.method} {op.path}" for op in _registered_operations()} - {"GET /api/openapi.json"}
    assert set(run.figures["by_operation"]) == served, "every operation was called"


def _registered_operations():
    import function_app  # noqa: F401 - registers every operation
    from shared.openapi import registry

    return registry.operations


def test_the_served_document_is_the_registered_one(hostile_devhost):
    served = requests.get(hostile_devhost.url + "/api/openapi.json", timeout=10).json()
    assert served == call("GET", "openapi.json", token=None).json()
