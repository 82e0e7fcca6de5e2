from __future__ import annotations

import pytest

from shared.settings import SettingsError, load_settings


def test_defaults_are_sensible():
    settings = load_settings({})
    assert settings.database_url is None
    assert settings.gemini_model == "gemini-2.5-flash"
    assert settings.resume_max_bytes == 10 * 1024 * 1024
    assert str(settings.local_data_dir) == ".local"
    assert settings.default_phone_region == "US"


def test_malformed_settings_fail_with_a_message_naming_each_setting():
    with pytest.raises(SettingsError) as error:
        load_settings({"DATABASE_AUTH": "kerberos", "RESUME_MAX_BYTES": "lots", "PUBLIC_BASE_URL": "ftp://x"})
    message = str(error.value)
    for name in ("DATABASE_AUTH", "RESUME_MAX_BYTES", "PUBLIC_BASE_URL"):
        assert name in message


def test_empty_values_count_as_unset_and_urls_lose_trailing_slash():
    settings = load_settings({"GEMINI_API_KEY": "", "PUBLIC_BASE_URL": "https://x.example/"})
    assert settings.gemini_api_key is None
    assert settings.public_base_url == "https://x.example"


def test_secrets_do_not_appear_in_repr():
    settings = load_settings({"TWILIO_AUTH_TOKEN": "supersecret", "GEMINI_API_KEY": "key-123456"})
    assert "supersecret" not in repr(settings) and "key-123456" not in repr(settings)


def test_identity_based_storage_settings():
    settings = load_settings(
        {"AzureWebJobsStorage__accountName": "acct", "AzureWebJobsStorage__clientId": "cid"}
    )
    assert settings.storage_account_name == "acct"
    assert settings.azure_client_id == "cid"
