"""checkov's Bicep security scan, run from its own virtualenv (.venv-infra, made by infra/checks/setup.sh).

checkov exits 0 when a file fails to parse, so the gate reads the report: no parsing errors, no failed
check, and every skipped check carries its reason in the Bicep (//checkov:skip=CKV_...:reason; a `#` comment
would suit checkov and pycep-parser but is not Bicep, so the compiler would reject the file).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.infra.bicep_support import INFRA, REPO, bicep_files

VENV = REPO / ".venv-infra"
CHECKOV = VENV / "bin" / "checkov"
SKIP_COMMENT = re.compile(r"//\s*checkov:skip=(CKV2?_AZURE_\d+)(?::(.*))?")


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_checkov() -> Path:
    if CHECKOV.exists():
        return CHECKOV
    message = f"checkov is not installed in {VENV}: run `bash infra/checks/setup.sh` (make does it)"
    if running_in_ci():
        pytest.fail(message)
    pytest.skip(message)


def scan(directory: Path) -> dict[str, Any]:
    checkov = require_checkov()
    command = [str(checkov), "-d", str(directory), "--framework", "bicep", "--skip-download", "-o", "json"]
    env = {**os.environ, "LOG_LEVEL": "ERROR"}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, cwd=REPO, env=env, check=False
    )
    assert result.stdout.strip(), (
        f"checkov printed no report (exit {result.returncode}): {result.stderr[-2000:]}"
    )
    report = json.loads(result.stdout)
    # One framework gives one report; checkov prints a list when it ran several.
    if isinstance(report, list):
        report = next(item for item in report if item.get("check_type") == "bicep")
    return report


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    started = time.monotonic()
    scanned = scan(INFRA)
    print(f"checkov scanned infra/ in {time.monotonic() - started:.1f} s")
    return scanned


def test_checkov_uses_the_pycep_parser_that_reads_current_bicep() -> None:
    require_checkov()
    result = subprocess.run(
        [
            str(VENV / "bin" / "python"),
            "-c",
            "import importlib.metadata as m; print(m.version('pycep-parser'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "0.7.1"


def test_checkov_parses_every_bicep_file(report: dict[str, Any]) -> None:
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["resource_count"] >= 40
    scanned = {item["file_path"].lstrip("/") for kind in ("passed_checks", "skipped_checks")
               for item in report["results"][kind]}  # fmt: skip
    # The files holding the resources checkov has checks for were all read.
    for name in ("storage", "keyvault", "functionapp"):
        assert f"modules/{name}.bicep" in scanned


def test_checkov_reports_no_failed_check(report: dict[str, Any]) -> None:
    failed = [
        f"{item['check_id']} {item['file_path']} {item['resource']}: {item['check_name']}"
        for item in report["results"]["failed_checks"]
    ]
    assert failed == []
    assert report["summary"]["passed"] > 0


def test_every_skipped_check_is_justified_in_the_bicep(report: dict[str, Any]) -> None:
    skips = []
    for path in bicep_files():
        text = path.read_text(encoding="utf-8")
        # Bicep knows only the #disable-next-line / #disable-diagnostics pragmas; pycep ignores any # line.
        stray = [
            line for line in text.splitlines() if line.strip().startswith("#") and "#disable-" not in line
        ]
        assert stray == [], f"{path.name}: not Bicep syntax: {stray}"
        for check_id, reason in SKIP_COMMENT.findall(text):
            skips.append((path.name, check_id))
            assert len((reason or "").strip()) >= 30, f"{path.name}: {check_id} is skipped without a reason"
    skipped = report["results"]["skipped_checks"]
    assert len(skipped) == report["summary"]["skipped"]
    # A skip comment that no longer matches a failing check is stale: checkov would count it as passed.
    assert {(Path(item["file_path"]).name, item["check_id"]) for item in skipped} == set(skips)


def test_the_gate_catches_a_parse_error_and_a_misconfiguration(tmp_path: Path) -> None:
    copy = tmp_path / "infra"
    shutil.copytree(INFRA / "modules", copy / "modules")
    storage = copy / "modules" / "storage.bicep"
    storage.write_text(storage.read_text(encoding="utf-8").replace("'TLS1_2'", "'TLS1_0'"), encoding="utf-8")
    (copy / "modules" / "broken.bicep").write_text(
        "resource x 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n"
    )
    broken = scan(copy)
    assert broken["summary"]["parsing_errors"] == 1
    assert "CKV_AZURE_44" in {item["check_id"] for item in broken["results"]["failed_checks"]}
