from __future__ import annotations

import pytest

from shared.adapters import storage
from shared.settings import load_settings


@pytest.fixture(autouse=True)
def _fresh_clients():
    storage.reset_storage_clients()
    yield
    storage.reset_storage_clients()


def test_unconfigured_storage_fails_with_the_setting_names():
    with pytest.raises(storage.StorageNotConfigured, match="AzureWebJobsStorage"):
        storage.blob_service_client(load_settings({}))


def test_connection_string_wins_and_clients_are_cached_per_account():
    conn = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
        "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:2/devstoreaccount1;"
    )
    settings = load_settings({"AzureWebJobsStorage": conn, "AzureWebJobsStorage__accountName": "ignored"})
    blob = storage.blob_service_client(settings)
    assert blob.url.startswith("http://127.0.0.1:1/devstoreaccount1")
    assert blob is storage.blob_service_client(settings)
    assert storage.table_service_client(settings).url.startswith("http://127.0.0.1:2")
    other = load_settings({"AzureWebJobsStorage": conn.replace(":1/", ":3/")})
    assert storage.blob_service_client(other) is not blob


def test_identity_based_account_uses_the_managed_identity_without_calling_azure():
    from azure.identity import DefaultAzureCredential

    settings = load_settings(
        {
            "AzureWebJobsStorage__accountName": "interviewai",
            "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001",
        }
    )
    blob = storage.blob_service_client(settings)
    table = storage.table_service_client(settings)
    assert blob.url == "https://interviewai.blob.core.windows.net/"
    assert table.url.startswith("https://interviewai.table.core.windows.net")
    assert isinstance(blob.credential, DefaultAzureCredential)
    assert repr(storage.StorageAccount.from_settings(settings)) == "StorageAccount(account interviewai)"


def test_outages_are_transient_but_client_errors_are_not():
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError, ServiceRequestError

    def http_error(status: int) -> HttpResponseError:
        error = HttpResponseError(message=f"status {status}")
        error.status_code = status
        return error

    assert storage.is_transient(ServiceRequestError("connection refused"))
    assert all(storage.is_transient(http_error(status)) for status in (429, 500, 503))
    assert not storage.is_transient(http_error(403))
    assert not storage.is_transient(ResourceNotFoundError("gone"))
    assert not storage.is_transient(ValueError("bug"))


def test_the_storage_account_repr_hides_the_connection_string():
    settings = load_settings({"AzureWebJobsStorage": "AccountName=a;AccountKey=secretkey"})
    assert "secretkey" not in repr(storage.StorageAccount.from_settings(settings))


def test_links_with_a_managed_identity_are_user_delegation_sas_with_a_reused_key():
    """Azurite has no Entra ID: the service's key-issuing call is the edge replaced here."""
    import base64
    from datetime import timedelta
    from urllib.parse import parse_qs, urlsplit

    from azure.storage.blob import BlobServiceClient, UserDelegationKey

    from shared.adapters.resume_store import ResumeStore

    class NoToken:
        def get_token(self, *scopes, **kwargs):  # never called: nothing goes over the network here
            raise AssertionError("no network call expected")

    service = BlobServiceClient("https://interviewai.blob.core.windows.net", credential=NoToken())
    issued = []

    def get_user_delegation_key(key_start_time, key_expiry_time, **kwargs):
        key = UserDelegationKey()
        key.signed_oid, key.signed_tid = "oid-1", "tid-1"
        key.signed_start = key_start_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        key.signed_expiry = key_expiry_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        key.signed_service, key.signed_version = "b", "2025-01-05"
        key.value = base64.b64encode(b"k" * 32).decode()
        issued.append(key_expiry_time - key_start_time)
        return key

    service.get_user_delegation_key = get_user_delegation_key
    store = ResumeStore(service, "resumes")
    first = store.link(
        "c/a.pdf", expires_in=timedelta(minutes=10), file_name="Zoë.pdf", content_type="application/pdf"
    )
    store.link("c/b.pdf", expires_in=timedelta(minutes=10), file_name="b.pdf", content_type="application/pdf")
    assert len(issued) == 1  # one key serves many links
    query = parse_qs(urlsplit(first.url).query)
    assert first.url.startswith("https://interviewai.blob.core.windows.net/resumes/c/a.pdf?")
    assert query["skoid"] == ["oid-1"] and query["sp"] == ["r"] and query["spr"] == ["https"]
    assert query["rscd"][0].endswith("filename*=UTF-8''Zo%C3%AB.pdf")
