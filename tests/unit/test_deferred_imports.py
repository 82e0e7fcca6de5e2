"""The entry points' deferred imports (functions/deferred.py) resolve: a misspelt module or attribute would
otherwise pass `import function_app` and fail only when that function first runs."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from functions.deferred import DeferredModule, deferred_import

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"


def _deferred_uses(source: str) -> dict[str, tuple[str, set[str]]]:
    """{variable: (module name, attributes read from it)} for each `variable = deferred_import("module")`."""
    tree = ast.parse(source)
    modules: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "deferred_import"
        ):
            (target,) = node.targets
            assert isinstance(target, ast.Name)
            modules[target.id] = node.value.args[0].value
    attributes: dict[str, set[str]] = {name: set() for name in modules}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            attributes[node.value.id].add(node.attr)
    return {name: (modules[name], attributes[name]) for name in modules}


ENTRY_POINTS = sorted(
    p for p in FUNCTIONS_DIR.glob("*.py") if p.stem != "deferred" and "deferred_import(" in p.read_text()
)


def test_the_entry_points_defer_their_services():
    assert {p.stem for p in ENTRY_POINTS} >= {"candidates", "interview_activities", "interviews", "sms"}


@pytest.mark.parametrize("path", ENTRY_POINTS, ids=lambda p: p.stem)
def test_every_deferred_module_exists_and_has_the_attributes_read_from_it(path: Path):
    uses = _deferred_uses(path.read_text())
    assert uses, f"{path.name} calls deferred_import but assigns no module with it"
    for variable, (module_name, attributes) in uses.items():
        module = importlib.import_module(module_name)
        assert attributes, f"{path.name}: {variable} is never used"
        missing = sorted(a for a in attributes if not hasattr(module, a))
        assert missing == [], f"{path.name}: {module_name} has no {missing}"


def test_a_deferred_module_is_imported_on_first_attribute_read_only(monkeypatch):
    imported: list[str] = []
    real_import = importlib.import_module

    def recording_import(name: str, package: str | None = None):
        imported.append(name)
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", recording_import)
    module = deferred_import("shared.interview.schedule")
    assert isinstance(module, DeferredModule) and imported == []
    assert module.parse_hhmm("8:30").hour == 8
    assert module.parse_hhmm is real_import("shared.interview.schedule").parse_hhmm
    assert imported == ["shared.interview.schedule"]  # imported once, then reused
