"""The delivery files parse and agree with each other: workflows, azure.yaml, parameter files, host.json."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra.bicep_support import INFRA, MAIN, REPO, bicepparam_assignments, template

WORKFLOWS = REPO / ".github" / "workflows"


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path.name
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean True.
    return workflow.get("on", workflow.get(True)) or {}


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]


def step_using(workflow: dict[str, Any], job: str, action: str) -> dict[str, Any]:
    found = [step for step in steps(workflow, job) if step.get("uses", "").lower().startswith(action.lower())]
    assert len(found) == 1, f"{job} should use {action} once"
    return found[0]


def required_main_parameters() -> set[str]:
    return {name for name, spec in template(MAIN)["parameters"].items() if spec.get("default") is None}


def secure_main_parameters() -> set[str]:
    return {
        name
        for name, spec in template(MAIN)["parameters"].items()
        if any(decorator["type"] == "secure" for decorator in spec["decorators"])
    }


# --- CI -----------------------------------------------------------------------------------------------------


def test_ci_runs_make_test_on_push_and_pull_request_with_python_311_and_node_20() -> None:
    ci = load_yaml(WORKFLOWS / "ci.yml")
    on = triggers(ci)
    assert "push" in on and "pull_request" in on
    assert "workflow_call" in on  # the deploy workflow runs the same tests first
    python = step_using(ci, "test", "actions/setup-python")
    assert str(python["with"]["python-version"]) == "3.11"
    node = step_using(ci, "test", "actions/setup-node")
    assert str(node["with"]["node-version"]) == "20"
    runs = [step.get("run", "").strip() for step in steps(ci, "test")]
    assert "make test" in runs


# --- Deploy -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return load_yaml(WORKFLOWS / "deploy.yml")


def test_deploy_logs_in_with_oidc(deploy: dict[str, Any]) -> None:
    job = deploy["jobs"]["deploy"]
    assert job["permissions"]["id-token"] == "write"
    login = step_using(deploy, "deploy", "azure/login")
    for key in ("client-id", "tenant-id", "subscription-id"):
        assert re.fullmatch(r"\$\{\{ (vars|secrets)\.AZURE_[A-Z_]+ \}\}", login["with"][key]), key
    assert "creds" not in login["with"]  # no stored service-principal secret
    assert deploy["jobs"]["deploy"]["needs"] == "test"
    assert deploy["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"


def test_deploy_provisions_each_environment_from_its_parameters_file(deploy: dict[str, Any]) -> None:
    environments = triggers(deploy)["workflow_dispatch"]["inputs"]["environment"]["options"]
    assert set(environments) == {"dev", "prod"}
    provision = next(step for step in steps(deploy, "deploy") if step.get("id") == "provision")
    assert "az deployment sub create" in provision["run"]
    assert '"infra/main.${AZURE_ENV_NAME}.bicepparam"' in provision["run"]
    for environment in environments:
        assert (INFRA / f"main.{environment}.bicepparam").is_file()
    # Secrets reach the deployment only through the environment, from GitHub secrets.
    assert provision["env"] == {
        "TWILIO_AUTH_TOKEN": "${{ secrets.TWILIO_AUTH_TOKEN }}",
        "GEMINI_API_KEY": "${{ secrets.GEMINI_API_KEY }}",
    }


def test_deploy_reads_only_outputs_that_main_bicep_declares(deploy: dict[str, Any]) -> None:
    text = (WORKFLOWS / "deploy.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"steps\.provision\.outputs\.([A-Za-z_]+)", text))
    assert used, "the workflow reads no deployment output"
    assert used <= set(template(MAIN)["outputs"]), sorted(used - set(template(MAIN)["outputs"]))


def test_deploy_ships_the_app_to_flex_consumption(deploy: dict[str, Any]) -> None:
    functions = step_using(deploy, "deploy", "Azure/functions-action")
    assert functions["with"]["app-name"] == "${{ steps.provision.outputs.AZURE_FUNCTION_APP_NAME }}"
    assert functions["with"]["sku"] == "flexconsumption"
    assert functions["with"]["respect-funcignore"] is True


def test_both_deploy_paths_ship_our_modules_compiled(deploy: dict[str, Any]) -> None:
    names = [step.get("name", "") for step in steps(deploy, "deploy")]
    compile_step = steps(deploy, "deploy")[names.index("Compile the app's bytecode into the package")]
    assert "scripts/compile-bytecode.sh" in compile_step["run"]
    assert names.index("Compile the app's bytecode into the package") < names.index("Deploy the function app")
    api = load_yaml(REPO / "azure.yaml")["services"]["api"]
    assert "scripts/compile-bytecode.sh" in api["hooks"]["prepackage"]["run"]
    ignored = [line.strip() for line in (REPO / ".funcignore").read_text().splitlines()]
    assert "__pycache__" not in ignored


def test_the_bytecode_script_writes_hash_checked_pycs(tmp_path: Path) -> None:
    # A copy: the script compiles in place, and the working tree's own caches are the developer's.
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "compile-bytecode.sh", tmp_path / "scripts")
    shutil.copy(REPO / "function_app.py", tmp_path)
    for package in ("functions", "shared"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        ["sh", "scripts/compile-bytecode.sh"], cwd=tmp_path, env={"PYTHON": sys.executable}, check=True
    )
    compiled = sorted(tmp_path.glob("shared/**/__pycache__/*.pyc"))
    assert len(compiled) == len(list((tmp_path / "shared").rglob("*.py")))
    for pyc in compiled + [next((tmp_path / "__pycache__").glob("function_app.*.pyc"))]:
        flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
        assert flags == 0b11, f"{pyc.name}: not a checked-hash pyc (flags {flags})"


def test_deploy_migrates_as_the_deployer_with_entra_auth(deploy: dict[str, Any]) -> None:
    names = [step.get("name", "") for step in steps(deploy, "deploy")]
    migrate = steps(deploy, "deploy")[names.index("Run the database migrations")]
    assert migrate["env"]["DATABASE_AUTH"] == "entra"
    assert "python infra/scripts/migrate_database.py" in migrate["run"]
    assert (REPO / "infra" / "scripts" / "migrate_database.py").is_file()
    # Migrations run after the app is deployed and while the firewall admits the runner.
    assert names.index("Deploy the function app") < names.index("Run the database migrations")
    assert names.index("Open the PostgreSQL firewall to this runner") < names.index(
        "Run the database migrations"
    )
    close = steps(deploy, "deploy")[names.index("Close the PostgreSQL firewall")]
    assert close["if"].startswith("always()")
    assert "DEPLOYER_PRINCIPAL_NAME" in deploy["jobs"]["deploy"]["env"]


# --- azd ----------------------------------------------------------------------------------------------------


def test_azure_yaml_deploys_the_api_service_as_a_python_function() -> None:
    azure = load_yaml(REPO / "azure.yaml")
    api = {key: value for key, value in azure["services"]["api"].items() if key != "hooks"}
    assert api == {"project": ".", "language": "python", "host": "function"}
    assert (REPO / azure["infra"]["path"] / f"{azure['infra']['module']}.bicep") == MAIN
    # azd finds the app by this tag.
    assert "'azd-service-name': serviceName" in (INFRA / "modules" / "functionapp.bicep").read_text()
    hooks = azure["hooks"]
    assert "infra/scripts/migrate_database.py" in hooks["postdeploy"]["run"]
    for name in re.findall(r"\$([A-Z_]+)", hooks["postprovision"]["run"]):
        assert name in template(MAIN)["outputs"], name


# --- Parameter files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_bicepparam_sets_known_parameters_and_every_required_one(environment: str) -> None:
    using, assignments = bicepparam_assignments(INFRA / f"main.{environment}.bicepparam")
    assert (INFRA / using).resolve() == MAIN
    unknown = set(assignments) - set(template(MAIN)["parameters"])
    assert not unknown, f"unknown parameters {sorted(unknown)}"
    missing = required_main_parameters() - set(assignments)
    assert not missing, f"required parameters not set: {sorted(missing)}"
    # Secrets only ever come from the environment (the workflow's GitHub secrets), never from the file.
    for name in secure_main_parameters():
        assert assignments[name].startswith(f"readEnvironmentVariable('{_env_name(name)}'"), name


def _env_name(parameter: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", parameter).upper()


def test_prod_keeps_backups_longer_and_in_another_region() -> None:
    _, dev = bicepparam_assignments(INFRA / "main.dev.bicepparam")
    _, prod = bicepparam_assignments(INFRA / "main.prod.bicepparam")
    assert prod["postgresGeoRedundantBackup"] == "'Enabled'"
    assert int(prod["postgresBackupRetentionDays"]) == 35
    assert int(dev["postgresBackupRetentionDays"]) < int(prod["postgresBackupRetentionDays"])
    # Without a key prod would score with the local stand-in: the file makes the key mandatory.
    assert prod["geminiApiKey"] == "readEnvironmentVariable('GEMINI_API_KEY')"


def test_azd_parameters_file_sets_known_parameters_and_every_required_one() -> None:
    parameters = json.loads((INFRA / "main.parameters.json").read_text(encoding="utf-8"))["parameters"]
    assert set(parameters) <= set(template(MAIN)["parameters"])
    assert required_main_parameters() <= set(parameters)
    for name in secure_main_parameters():
        assert re.fullmatch(r"\$\{[A-Z_]+=?\}", parameters[name]["value"]), name


# --- host.json ----------------------------------------------------------------------------------------------


def test_host_json_settings() -> None:
    host = json.loads((REPO / "host.json").read_text(encoding="utf-8"))
    assert host["version"] == "2.0"
    assert host["extensionBundle"] == {
        "id": "Microsoft.Azure.Functions.ExtensionBundle",
        "version": "[4.*, 5.0.0)",
    }
    assert host["functionTimeout"] == "00:10:00"
    assert host["logging"]["logLevel"] == {
        "default": "Information",
        "Host.Results": "Error",
        "Function": "Information",
        "Host.Aggregator": "Trace",
    }
    sampling = host["logging"]["applicationInsights"]["samplingSettings"]
    assert sampling == {
        "isEnabled": True,
        "excludedTypes": "Request;Exception",
        "maxTelemetryItemsPerSecond": 20,
    }
    extensions = host["extensions"]
    assert extensions["http"]["routePrefix"] == "api"
    assert 1 <= extensions["serviceBus"]["maxConcurrentCalls"] <= 8
    assert extensions["durableTask"]["hubName"] == "InterviewHub"


def test_every_host_json_setting_is_explained_in_the_operations_runbook() -> None:
    host = json.loads((REPO / "host.json").read_text(encoding="utf-8"))
    runbook = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    explained = set(re.findall(r"`([A-Za-z][\w.]*)`", runbook))
    settings = {"version", "extensionBundle", "functionTimeout", "logging.logLevel",
                "logging.applicationInsights.samplingSettings"}  # fmt: skip
    settings |= {
        f"extensions.{name}.{key}" for name, section in host["extensions"].items() for key in section
    }
    assert settings - explained == set()
    assert {"version", "extensionBundle", "functionTimeout", "logging", "extensions"} == set(host)
