"""The interview rules stay pure: the orchestrator replays them and the webhook calls them on every SMS."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "shared" / "interview"
MODULES = sorted(PACKAGE.glob("*.py"))
ALLOWED_IMPORTS = {
    "__future__", "collections", "dataclasses", "datetime", "enum", "functools", "math", "re", "typing",
    "unicodedata", "zoneinfo", "phonenumbers", "pydantic", "shared",
}  # fmt: skip
CLOCK_CALLS = {"now", "utcnow", "today", "monotonic", "perf_counter", "urandom", "uuid1", "uuid4"}
CLOCK_MODULES = {"time", "random", "secrets", "os"}  # time.time(), random.random(), ...


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_rules_import_only_the_standard_library_and_phonenumbers(path: Path) -> None:
    imported = _imports(ast.parse(path.read_text(encoding="utf-8")))
    assert imported <= ALLOWED_IMPORTS, f"{path.name} imports {sorted(imported - ALLOWED_IMPORTS)}"


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_rules_never_read_a_clock_or_randomness(path: Path) -> None:
    # "now" is always an argument: a rule that read the clock would break orchestrator replay.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            where = f"{path.name}:{node.lineno} calls .{node.func.attr}()"
            assert node.func.attr not in CLOCK_CALLS, where
            receiver = node.func.value
            assert not (isinstance(receiver, ast.Name) and receiver.id in CLOCK_MODULES), where


def test_importing_the_rules_pulls_in_no_sdk() -> None:
    # phonenumbers' metadata is large: only candidate_timezone loads it, on first use.
    probe = (
        "import sys, shared.interview.struggle, shared.interview.keywords, shared.interview.knockout, "
        "shared.interview.messages, shared.interview.schedule; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('phonenumbers', 'azure', 'pydantic', "
        "'psycopg2', 'twilio', 'google')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PACKAGE.parents[1], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
