"""Reading the Bicep templates offline: pycep-parser turns each .bicep file into a dict tests assert on.

pycep-parser keeps expressions as text: a bare name ("identityId") is a parameter, variable or resource
reference, a quoted literal loses its quotes ("managedidentity"), and '${...}' interpolations stay as written.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from pycep import BicepParser

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
MAIN = INFRA / "main.bicep"


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


@cache
def template(path: Path) -> dict[str, Any]:
    return BicepParser().parse(file_path=path)


def module_template(name: str) -> dict[str, Any]:
    return template(INFRA / "modules" / f"{name}.bicep")


def body(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource's or module's own fields, unwrapped from `if (...)` and `for ... in` wrappers."""
    config = resource["config"]
    while "config" in config and ("condition" in config or "loop_type" in config):
        config = config["config"]
    return config


def is_conditional(resource: dict[str, Any]) -> bool:
    return resource["config"].get("condition") is not None


def resources_of_type(tpl: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Resources this template deploys (not `existing` references) of one type, by symbolic name."""
    return {
        name: resource
        for name, resource in tpl.get("resources", {}).items()
        if resource["type"] == resource_type and not resource["existing"]
    }


def only_resource(tpl: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = resources_of_type(tpl, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def has_decorator(parameter: dict[str, Any], kind: str) -> bool:
    return any(decorator["type"] == kind for decorator in parameter.get("decorators", []))


def main_modules() -> dict[str, dict[str, Any]]:
    return template(MAIN)["modules"]


def module_params(symbol: str) -> dict[str, Any]:
    """The parameters main.bicep passes to one of its modules."""
    return body(main_modules()[symbol])["params"]


def variable(tpl: dict[str, Any], name: str) -> Any:
    return tpl["variables"][name]["value"]


def bicepparam_assignments(path: Path) -> tuple[str, dict[str, str]]:
    """(the `using` target, {parameter: expression text}) of a .bicepparam file; pycep cannot parse these."""
    text = path.read_text(encoding="utf-8")
    using = re.search(r"^using\s+'([^']+)'", text, re.MULTILINE)
    assert using, f"{path.name} has no `using` line"
    assignments = dict(re.findall(r"^param\s+(\w+)\s*=\s*(.+?)\s*$", text, re.MULTILINE))
    return using.group(1), assignments


def scoring_queue_names_in_code() -> set[str]:
    """`queue_name=` of every Service Bus trigger under functions/, resolved through string constants.

    Empty when the functions are not in this tree (the infra branch alone): the caller falls back to the
    documented queue name.
    """
    functions_dir = REPO / "functions"
    if not functions_dir.is_dir():
        return set()
    constant_pattern = re.compile(r"^([A-Z][A-Z0-9_]*)\s*(?::\s*\w+\s*)?=\s*[\"']([^\"']+)[\"']", re.M)
    queue_name_pattern = re.compile(r"queue_name\s*=\s*(?:[\"']([^\"']+)[\"']|([A-Za-z_][\w.]*))")
    constants: dict[str, str] = {}
    for source in [*functions_dir.rglob("*.py"), *(REPO / "shared").rglob("*.py")]:
        constants.update(constant_pattern.findall(source.read_text(encoding="utf-8")))
    names = set()
    for source in functions_dir.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        if "service_bus_queue_trigger" not in text:
            continue
        for literal, reference in queue_name_pattern.findall(text):
            if literal:
                names.add(literal)
            else:
                constant = reference.rsplit(".", 1)[-1]
                assert constant in constants, f"cannot resolve queue_name={reference} in {source.name}"
                names.add(constants[constant])
    return names


def reference(expression: Any) -> str:
    """A property access chain as dotted text: `identity.outputs.id` (pycep nests one level per dot)."""
    if isinstance(expression, str):
        return expression
    operator = expression.get("operator", {}) if isinstance(expression, dict) else {}
    assert operator.get("type") == "property_accessor", f"not a property access: {expression!r}"
    operands = operator["operands"]
    return f"{reference(operands['operand_1'])}.{reference(operands['operand_2'])}"
