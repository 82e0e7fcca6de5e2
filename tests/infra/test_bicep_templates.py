"""Offline checks of the Bicep: every file parses, and the settings that keep the app secure and working
are what they must be (identity everywhere, no keys, TLS, the right queue, Key Vault references)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.infra.bicep_support import (
    INFRA,
    MAIN,
    bicep_files,
    body,
    has_decorator,
    is_conditional,
    main_modules,
    module_params,
    module_template,
    only_resource,
    reference,
    resources_of_type,
    scoring_queue_names_in_code,
    template,
    variable,
)

DOCUMENTED_SCORING_QUEUE = "interview-scoring"


def app_settings() -> dict:
    functionapp = module_template("functionapp")
    settings = body(only_resource(functionapp, "Microsoft.Web/sites/config"))
    assert settings["name"] == "appsettings"
    assert settings["properties"]["function"]["type"] == "union"
    assert settings["properties"]["function"]["parameters"]["arg_1"] == "appSettings"
    return variable(functionapp, "appSettings")


@pytest.mark.parametrize("path", bicep_files(), ids=lambda path: str(path.relative_to(INFRA)))
def test_every_bicep_file_parses(path: Path) -> None:
    parsed = template(path)
    assert parsed.get("resources") or parsed.get("modules"), f"{path.name} deploys nothing"


def test_main_wires_every_module_with_the_parameters_it_declares() -> None:
    modules = main_modules()
    assert set(modules) == {
        "identity", "monitoring", "storage", "serviceBus", "keyVault", "postgres", "roles", "functionApp",
    }  # fmt: skip
    for symbol, module in modules.items():
        path = (INFRA / module["detail"]["path"]).resolve()
        assert path.is_file(), f"module {symbol}: {path} is missing"
        declared = template(path)["parameters"]
        passed = set(body(module)["params"])
        assert passed <= set(declared), f"{symbol} passes unknown parameters {sorted(passed - set(declared))}"
        required = {name for name, spec in declared.items() if spec.get("default") is None}
        assert required <= passed, f"{symbol} is missing required parameters {sorted(required - passed)}"


def test_function_app_runs_python_311_on_flex_consumption() -> None:
    functionapp = module_template("functionapp")
    plan = body(only_resource(functionapp, "Microsoft.Web/serverfarms"))
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan["properties"]["reserved"] is True  # Linux
    site = body(only_resource(functionapp, "Microsoft.Web/sites"))
    assert site["kind"] == "functionapp,linux"
    config = site["properties"]["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    assert site["properties"]["httpsOnly"] is True
    assert site["properties"]["siteConfig"]["minTlsVersion"] == "1.2"


def test_function_app_uses_only_its_user_assigned_identity() -> None:
    site = body(only_resource(module_template("functionapp"), "Microsoft.Web/sites"))
    assert site["identity"]["type"] == "UserAssigned"
    assert list(site["identity"]["userAssignedIdentities"]) == ["'${identityId}'"]
    # Key Vault references and the deployment package resolve with that identity, not a system one.
    assert site["properties"]["keyVaultReferenceIdentity"] == "identityId"
    storage = site["properties"]["functionAppConfig"]["deployment"]["storage"]
    assert storage["type"] == "blobContainer"
    assert storage["authentication"] == {
        "type": "UserAssignedIdentity",
        "userAssignedIdentityResourceId": "identityId",
    }
    assert reference(module_params("functionApp")["identityId"]) == "identity.outputs.id"


def test_connections_are_identity_based() -> None:
    settings = app_settings()
    assert settings["AzureWebJobsStorage__accountName"] == "storageAccountName"
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert settings["ServiceBusConnection__fullyQualifiedNamespace"] == "serviceBusFullyQualifiedNamespace"
    assert settings["ServiceBusConnection__credential"] == "managedidentity"
    assert settings["ServiceBusConnection__clientId"] == "identityClientId"
    assert settings["AZURE_CLIENT_ID"] == "identityClientId"
    assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] == "applicationInsightsConnectionString"
    assert (
        settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]
        == "ClientId=${identityClientId};Authorization=AAD"
    )


def test_no_connection_string_or_key_reaches_an_app_setting() -> None:
    settings = app_settings()
    # The plain names would hold connection strings (with keys); Flex Consumption rejects the worker setting.
    for name in ("AzureWebJobsStorage", "ServiceBusConnection", "FUNCTIONS_WORKER_RUNTIME"):
        assert name not in settings
    text = repr(settings).lower()
    for marker in ("accountkey", "sharedaccesskey", "password", "listkeys", "instrumentationkey"):
        assert marker not in text, f"an app setting mentions {marker}"
    for path in bicep_files():
        source = path.read_text(encoding="utf-8")
        assert "listKeys(" not in source and "listConnectionStrings(" not in source, path.name


def test_database_url_names_the_identity_requires_tls_and_has_no_password() -> None:
    settings = app_settings()
    url = settings["DATABASE_URL"]
    assert url == "postgresql://${identityName}@${postgresHost}:5432/${postgresDatabase}?sslmode=require"
    assert settings["DATABASE_AUTH"] == "entra"
    user_part = url.split("://", 1)[1].split("@", 1)[0]
    assert ":" not in user_part  # no password
    assert reference(module_params("functionApp")["identityName"]) == "identity.outputs.name"


def test_third_party_secrets_are_key_vault_references() -> None:
    settings = app_settings()
    assert settings["TWILIO_AUTH_TOKEN"] == "@Microsoft.KeyVault(SecretUri=${twilioAuthTokenSecretUri})"
    gemini = settings["GEMINI_API_KEY"]["operator"]
    assert gemini["type"] == "conditional"
    assert gemini["operands"]["true_value"] == ""  # no key configured: no setting value at all
    assert gemini["operands"]["false_value"] == "@Microsoft.KeyVault(SecretUri=${geminiApiKeySecretUri})"
    keyvault = module_template("keyvault")
    # Unversioned URIs, so a new secret version is picked up by a restart.
    assert reference(keyvault["outputs"]["twilioAuthTokenSecretUri"]["value"]) == (
        "twilioAuthTokenSecret.properties.secretUri"
    )
    assert "secretUriWithVersion" not in (INFRA / "modules" / "keyvault.bicep").read_text(encoding="utf-8")
    params = module_params("functionApp")
    assert reference(params["twilioAuthTokenSecretUri"]) == "keyVault.outputs.twilioAuthTokenSecretUri"
    assert reference(params["geminiApiKeySecretUri"]) == "keyVault.outputs.geminiApiKeySecretUri"


def test_other_settings_the_app_reads() -> None:
    settings = app_settings()
    assert settings["PUBLIC_BASE_URL"] == "https://${site.properties.defaultHostName}"
    assert settings["TWILIO_ACCOUNT_SID"] == "twilioAccountSid"
    assert settings["TWILIO_MESSAGING_SERVICE_SID"] == "twilioMessagingServiceSid"
    assert settings["GEMINI_MODEL"] == "geminiModel"
    assert settings["RESUME_CONTAINER"] == "resumeContainerName"
    # The scorer must know which delivery is the last one: it is the queue's own maxDeliveryCount.
    assert settings["SCORING_MAX_DELIVERY_COUNT"]["function"]["parameters"]["value_to_convert"] == (
        "scoringMaxDeliveryCount"
    )
    assert (
        reference(module_params("functionApp")["scoringMaxDeliveryCount"])
        == "serviceBus.outputs.maxDeliveryCount"
    )


def test_secrets_are_secure_parameters_without_real_defaults() -> None:
    main = template(MAIN)["parameters"]
    for name in ("twilioAuthToken", "geminiApiKey"):
        assert has_decorator(main[name], "secure"), name
    secure_defaults = {
        f"{path.name}:{name}": spec.get("default")
        for path in bicep_files()
        for name, spec in template(path).get("parameters", {}).items()
        if has_decorator(spec, "secure")
    }
    assert secure_defaults, "no @secure() parameters found"
    assert all(default in (None, "") for default in secure_defaults.values()), secure_defaults
    for resource in resources_of_type(
        module_template("keyvault"), "Microsoft.KeyVault/vaults/secrets"
    ).values():
        assert body(resource)["properties"]["value"] in ("twilioAuthToken", "geminiApiKey")


def test_storage_account_is_locked_to_entra_and_tls_12() -> None:
    storage = module_template("storage")
    account = body(only_resource(storage, "Microsoft.Storage/storageAccounts"))["properties"]
    assert account["allowSharedKeyAccess"] is False
    assert account["allowBlobPublicAccess"] is False
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["supportsHttpsTrafficOnly"] is True
    containers = resources_of_type(storage, "Microsoft.Storage/storageAccounts/blobServices/containers")
    assert set(containers) == {"deploymentContainer", "resumeContainer"}
    assert all(body(container)["properties"]["publicAccess"] == "None" for container in containers.values())
    # Durable Functions needs the queue and table services next to blob.
    assert resources_of_type(storage, "Microsoft.Storage/storageAccounts/queueServices")
    assert resources_of_type(storage, "Microsoft.Storage/storageAccounts/tableServices")
    tables = only_resource(storage, "Microsoft.Storage/storageAccounts/tableServices/tables")
    assert tables["config"]["loop_type"]["detail"]["array_name"] == "tableNames"
    params = module_params("storage")
    assert params["resumeContainerName"] == "resumes"
    assert params["tableNames"] == ["conversationlog", "auditlog"]


def test_scoring_queue_is_the_one_the_trigger_listens_on() -> None:
    in_code = scoring_queue_names_in_code()
    expected = in_code or {DOCUMENTED_SCORING_QUEUE}
    assert len(expected) == 1, f"triggers listen on several queues: {expected}"
    main = template(MAIN)
    assert module_params("serviceBus")["queueName"] == "scoringQueueName"
    assert {variable(main, "scoringQueueName")} == expected
    queue = body(only_resource(module_template("servicebus"), "Microsoft.ServiceBus/namespaces/queues"))
    assert queue["name"] == "queueName"


def iso_seconds(duration: str) -> int:
    match = re.fullmatch(r"PT(?:(\d+)M)?(?:(\d+)S)?", duration)
    assert match, duration
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def test_scoring_queue_survives_a_slow_model_and_never_loses_a_message() -> None:
    servicebus = module_template("servicebus")
    namespace = body(only_resource(servicebus, "Microsoft.ServiceBus/namespaces"))
    assert namespace["sku"]["name"] in ("Standard", "Premium")  # Basic has no duplicate detection
    assert namespace["properties"]["disableLocalAuth"] is True
    assert namespace["properties"]["minimumTlsVersion"] == "1.2"
    queue = body(only_resource(servicebus, "Microsoft.ServiceBus/namespaces/queues"))["properties"]
    # Gemini: ~60 s timeout and one retry per delivery; the lock must outlast both calls with room to spare.
    assert iso_seconds(queue["lockDuration"]) >= 2 * 60 + 60
    assert queue["maxDeliveryCount"] == "maxDeliveryCount"
    assert 3 <= variable(template(MAIN), "scoringMaxDeliveryCount") <= 10
    assert module_params("serviceBus")["maxDeliveryCount"] == "scoringMaxDeliveryCount"
    assert queue["deadLetteringOnMessageExpiration"] is True
    assert queue["requiresDuplicateDetection"] is True
    assert queue["duplicateDetectionHistoryTimeWindow"]


def test_postgres_accepts_only_entra_tokens_over_tls() -> None:
    postgres = module_template("postgres")
    server = body(only_resource(postgres, "Microsoft.DBforPostgreSQL/flexibleServers"))["properties"]
    assert server["authConfig"]["passwordAuth"] == "Disabled"
    assert server["authConfig"]["activeDirectoryAuth"] == "Enabled"
    assert "administratorLogin" not in server and "administratorLoginPassword" not in server
    configurations = {
        body(resource)["name"]: body(resource)["properties"]["value"]
        for resource in resources_of_type(
            postgres, "Microsoft.DBforPostgreSQL/flexibleServers/configurations"
        ).values()
    }
    assert configurations["require_secure_transport"] == "ON"
    assert configurations["ssl_min_protocol_version"] == "TLSv1.2"
    admins = resources_of_type(postgres, "Microsoft.DBforPostgreSQL/flexibleServers/administrators")
    app_admin = [body(admin) for admin in admins.values() if not is_conditional(admin)]
    assert len(app_admin) == 1
    assert app_admin[0]["name"] == "appIdentityPrincipalId"
    assert app_admin[0]["properties"]["principalName"] == "appIdentityName"
    assert app_admin[0]["properties"]["principalType"] == "ServicePrincipal"


def test_postgres_backups_are_parameters_with_safe_defaults() -> None:
    postgres = module_template("postgres")
    backup = body(only_resource(postgres, "Microsoft.DBforPostgreSQL/flexibleServers"))["properties"][
        "backup"
    ]
    assert backup == {
        "backupRetentionDays": "backupRetentionDays",
        "geoRedundantBackup": "geoRedundantBackup",
    }
    main = template(MAIN)["parameters"]
    assert main["postgresGeoRedundantBackup"]["default"] == "Enabled"
    assert 7 <= main["postgresBackupRetentionDays"]["default"] <= 35
    params = module_params("postgres")
    assert params["geoRedundantBackup"] == "postgresGeoRedundantBackup"
    assert params["backupRetentionDays"] == "postgresBackupRetentionDays"


def test_key_vault_uses_rbac_and_keeps_deleted_secrets() -> None:
    vault = body(only_resource(module_template("keyvault"), "Microsoft.KeyVault/vaults"))["properties"]
    assert vault["enableRbacAuthorization"] is True
    assert vault["enableSoftDelete"] is True
    assert vault["enablePurgeProtection"] is True
    assert "accessPolicies" not in vault


def test_application_insights_accepts_only_entra_authenticated_telemetry() -> None:
    component = body(only_resource(module_template("monitoring"), "Microsoft.Insights/components"))
    assert component["properties"]["DisableLocalAuth"] is True
    assert reference(component["properties"]["WorkspaceResourceId"]) == "logAnalytics.id"


ROLE_IDS = {
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
    "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
}


def test_app_identity_gets_exactly_the_least_privilege_roles_on_specific_resources() -> None:
    roles = module_template("roles")
    role_ids = variable(roles, "roles")
    granted: dict[str, str] = {}
    for resource in resources_of_type(roles, "Microsoft.Authorization/roleAssignments").values():
        assignment = body(resource)
        if assignment["properties"]["principalId"] != "principalId":
            continue  # the optional operator's assignments
        role_key = assignment["properties"]["roleDefinitionId"]["function"]["parameters"]["resource_name_1"]
        role_id = role_ids[reference(role_key).removeprefix("roles.")]
        assert assignment["properties"]["principalType"] == "ServicePrincipal"
        assert not is_conditional(resource)
        granted[ROLE_IDS.get(role_id, role_id)] = assignment["scope"]
    assert granted == {
        "Storage Blob Data Owner": "storage",
        "Storage Blob Data Contributor": "resumeContainer",
        "Storage Queue Data Contributor": "storage",
        "Storage Table Data Contributor": "storage",
        "Azure Service Bus Data Receiver": "serviceBus",
        "Azure Service Bus Data Sender": "serviceBus",
        "Key Vault Secrets User": "vault",
        "Monitoring Metrics Publisher": "applicationInsights",
    }
    # Nothing broader than data-plane roles: no Owner/Contributor, no assignment at subscription scope.
    assert "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" not in role_ids.values()
    assert "b24988ac-6180-42a0-ab88-20f7382dd24c" not in role_ids.values()
    assert reference(module_params("roles")["principalId"]) == "identity.outputs.principalId"
    assert "roles" in body(main_modules()["functionApp"]).get("dependsOn", [])


def test_outputs_give_the_app_url_and_twilio_webhooks() -> None:
    outputs = template(MAIN)["outputs"]
    assert reference(outputs["FUNCTION_APP_URL"]["value"]) == "functionApp.outputs.url"
    assert outputs["TWILIO_INBOUND_WEBHOOK_URL"]["value"] == "${functionApp.outputs.url}/api/sms/inbound"
    assert outputs["TWILIO_STATUS_CALLBACK_URL"]["value"] == "${functionApp.outputs.url}/api/sms/status"
    assert (
        module_template("functionapp")["outputs"]["url"]["value"]
        == "https://${site.properties.defaultHostName}"
    )
