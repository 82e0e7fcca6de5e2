"""`import function_app` is every cold start's fixed cost: it must load only what declaring the functions needs.

The SDKs, the services and everything behind them (data access, adapters, interview rules, resume readers)
are imported when a function first runs; the API's models are declared but build their validators on first
use. Each test fails if someone brings back an eager import or an eager build.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY_SDKS = (
    "azure.storage.blob", "azure.data.tables", "google.genai", "twilio", "azure.servicebus", "azure.identity",
    "psycopg2", "phonenumbers", "pypdf", "docx",
)  # fmt: skip
# Imported when a function first runs: the services and all they import.
DEFERRED = ("shared.services", "shared.interview", "shared.data", "shared.adapters", "shared.resumes")
# ...except these small modules, which declaring the functions needs (a query parser, the queue's name, the
# resume media types for the OpenAPI document) and which import nothing heavy.
NEEDED_TO_DECLARE = {
    "shared.data", "shared.data.pagination", "shared.adapters", "shared.adapters.scoring_queue",
    "shared.resumes", "shared.resumes.files",
}  # fmt: skip

PROBE = """
import json, sys
import function_app
from shared.schemas.common import ApiModel
from shared.settings import Settings

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

built = sorted({m.__qualname__ for m in subclasses(ApiModel) if m.__pydantic_complete__})
if Settings.__pydantic_complete__:
    built.append("Settings")
print(json.dumps({"modules": sorted(sys.modules), "built": built}))
"""


@pytest.fixture(scope="module")
def cold_import() -> dict:
    # A fresh interpreter: this test process has long imported everything.
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def test_importing_the_function_app_loads_no_cloud_sdk_or_driver(cold_import):
    loaded = [m for m in HEAVY_SDKS if m in cold_import["modules"]]
    assert loaded == [], f"imported at cold start: {loaded}"


def test_importing_the_function_app_leaves_the_services_for_the_first_request(cold_import):
    eager = [m for m in cold_import["modules"] if _within(m, DEFERRED) and m not in NEEDED_TO_DECLARE]
    assert eager == [], f"imported at cold start: {eager}"


def test_api_models_and_settings_build_their_validators_on_first_use(cold_import):
    assert cold_import["built"] == []


def test_importing_the_function_app_does_not_look_for_pydantic_plugins(cold_import):
    # The scan of every installed package's entry points is what imports importlib.metadata at cold start.
    assert "importlib.metadata" not in cold_import["modules"]
