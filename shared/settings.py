"""Application settings, read once from the environment.

The Functions host turns app settings (Azure) or local.settings.json (locally) into environment variables;
this model is the single place that reads them. A missing or malformed value fails fast with a message that
names the setting.
"""

from __future__ import annotations

import os
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseModel):
    # Plain pydantic rather than pydantic-settings: it reads one flat mapping and costs less at cold start.
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    # PostgreSQL, the system of record. Unset: local runs and tests use an embedded server.
    database_url: str | None = Field(None, alias="DATABASE_URL", repr=False)
    database_auth: Literal["password", "entra"] = Field("password", alias="DATABASE_AUTH")
    database_pool_max: int = Field(10, alias="DATABASE_POOL_MAX", ge=1, le=100)

    # Storage (Blob: resumes; Table: conversation log and audit trail). A connection string locally
    # (Azurite), or identity-based in Azure (AzureWebJobsStorage__accountName).
    storage_connection_string: str | None = Field(None, alias="AzureWebJobsStorage", repr=False)
    storage_account_name: str | None = Field(None, alias="AzureWebJobsStorage__accountName")
    azure_client_id: str | None = Field(
        None, validation_alias=AliasChoices("AZURE_CLIENT_ID", "AzureWebJobsStorage__clientId")
    )
    resume_container: str = Field("resumes", alias="RESUME_CONTAINER")
    resume_max_bytes: int = Field(10 * 1024 * 1024, alias="RESUME_MAX_BYTES", ge=1024)
    resume_link_minutes: int = Field(10, alias="RESUME_LINK_MINUTES", ge=1, le=60)
    conversation_table: str = Field("conversationlog", alias="CONVERSATION_TABLE")
    audit_table: str = Field("auditlog", alias="AUDIT_TABLE")

    # Service Bus (scoring queue). A connection string, or identity-based in Azure.
    servicebus_connection_string: str | None = Field(None, alias="ServiceBusConnection", repr=False)
    servicebus_namespace: str | None = Field(None, alias="ServiceBusConnection__fullyQualifiedNamespace")

    # Twilio.
    twilio_account_sid: str | None = Field(None, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str | None = Field(None, alias="TWILIO_AUTH_TOKEN", repr=False)
    twilio_messaging_service_sid: str | None = Field(None, alias="TWILIO_MESSAGING_SERVICE_SID")
    twilio_from_number: str | None = Field(None, alias="TWILIO_FROM_NUMBER")
    # Points the real twilio client at a local fake (devhost). Production never sets it.
    twilio_api_base_url: str | None = Field(None, alias="TWILIO_API_BASE_URL")
    public_base_url: str | None = Field(None, alias="PUBLIC_BASE_URL")
    # Answer HELP ourselves; turn off when the Messaging Service's Advanced Opt-Out already replies to it.
    sms_help_reply: bool = Field(True, alias="SMS_HELP_REPLY")
    # A text this soon after a question was sent continues the answer before it (a split answer): no phone
    # shows, and no person answers, a question faster. 0 turns this off (test drivers that answer at once).
    sms_split_answer_seconds: float = Field(5.0, alias="SMS_SPLIT_ANSWER_SECONDS", ge=0, le=30)

    # Gemini. Without a key a deterministic local scorer stands in.
    gemini_api_key: str | None = Field(None, alias="GEMINI_API_KEY", repr=False)
    gemini_model: str = Field("gemini-2.5-flash", alias="GEMINI_MODEL")
    gemini_base_url: str | None = Field(None, alias="GEMINI_BASE_URL")
    gemini_timeout_seconds: float = Field(60.0, alias="GEMINI_TIMEOUT_SECONDS", gt=0, le=600)
    # Requests per scoring attempt on 429/5xx (the SDK's own retries); Service Bus redelivery comes on top.
    gemini_attempts: int = Field(3, alias="GEMINI_ATTEMPTS", ge=1, le=10)
    # Must equal the queue's maxDeliveryCount (infra): on the last delivery a failure is recorded for good.
    scoring_max_delivery_count: int = Field(5, alias="SCORING_MAX_DELIVERY_COUNT", ge=1, le=100)

    # Recruiter API.
    admin_token: str | None = Field(None, alias="ADMIN_TOKEN", min_length=16, repr=False)
    default_phone_region: str = Field("US", alias="DEFAULT_PHONE_REGION", pattern=r"^[A-Z]{2}$")
    company_name: str = Field("Interview AI", alias="COMPANY_NAME", min_length=1, max_length=40)
    default_timezone: str = Field("America/New_York", alias="DEFAULT_TIMEZONE")

    local_data_dir: Path = Field(Path(".local"), alias="LOCAL_DATA_DIR")

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("public_base_url", "twilio_api_base_url", "gemini_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @property
    def default_quiet_hours(self) -> tuple[time, time]:
        return time(21, 0), time(8, 0)


def _describe(error: ValidationError) -> str:
    fields = Settings.model_fields
    parts = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "?"
        alias = fields[name].alias if name in fields and fields[name].alias else name
        parts.append(f"{alias}: {item['msg']}")
    return "invalid settings: " + "; ".join(parts)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from `environ` (default: the process environment); empty values count as unset."""
    source = os.environ if environ is None else environ
    values = {key: value for key, value in source.items() if value != ""}
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings_cache() -> None:
    """Forget the cached settings (tests and devhost change the environment)."""
    get_settings.cache_clear()
