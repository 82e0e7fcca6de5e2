"""Blob and Table service clients for the app's storage account, created lazily and cached per process.

Which account and how to authenticate come from the settings the Functions host uses for its own storage:
`AzureWebJobsStorage` (a connection string: Azurite locally, or a key-based account) or, in Azure,
`AzureWebJobsStorage__accountName` with the user-assigned managed identity `AZURE_CLIENT_ID`
(DefaultAzureCredential). SDKs are imported inside the functions, never at module import.

Containers and tables are created on first use (once per process, not at import): a cold start that never
touches storage makes no storage call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from azure.data.tables import TableClient, TableServiceClient
    from azure.storage.blob import BlobServiceClient, ContainerClient

T = TypeVar("T")

# Uploads above this size go as 4 MiB blocks read from the caller's buffer, so an upload never holds a second
# full copy of the file (the SDK's default single-put limit is 64 MiB, which would read it all at once).
BLOCK_SIZE = 4 * 1024 * 1024
# Blob clients: requests by default re-reads the proxy variables and ~/.netrc from the environment on every
# call (5-10% of a small request's CPU, more with a large environment). Nothing here uses an environment
# proxy: the app reaches its storage account directly in Azure, and Azurite on loopback locally.
NO_ENV_SETTINGS = {"use_env_settings": False}


class StorageNotConfigured(RuntimeError):
    """Neither AzureWebJobsStorage nor AzureWebJobsStorage__accountName is set."""


@dataclass(frozen=True)
class StorageAccount:
    """Where the storage account is and how to reach it; the cache key for clients."""

    connection_string: str | None
    account_name: str | None
    client_id: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> StorageAccount:
        if not settings.storage_connection_string and not settings.storage_account_name:
            raise StorageNotConfigured(
                "storage is not configured: set AzureWebJobsStorage (a connection string, e.g. Azurite's) "
                "or AzureWebJobsStorage__accountName with a managed identity"
            )
        if settings.storage_connection_string:
            return cls(settings.storage_connection_string, None, None)
        return cls(None, settings.storage_account_name, settings.azure_client_id)

    @property
    def uses_identity(self) -> bool:
        return self.connection_string is None

    def __repr__(self) -> str:  # the connection string holds the account key
        where = f"account {self.account_name}" if self.account_name else "connection string"
        return f"StorageAccount({where})"


_lock = threading.RLock()  # re-entrant: a cached object may create the clients it wraps
_instances: dict[tuple[Any, ...], Any] = {}
_credentials: dict[str | None, Any] = {}
_ensured: set[tuple[str, str, str]] = set()


def _credential(client_id: str | None) -> Any:
    """One DefaultAzureCredential per identity: it caches tokens, so sharing it saves token requests."""
    if client_id not in _credentials:
        from azure.identity import DefaultAzureCredential

        _credentials[client_id] = DefaultAzureCredential(managed_identity_client_id=client_id)
    return _credentials[client_id]


def per_process(key: tuple[Any, ...], create: Callable[[], T]) -> T:
    """The object cached under `key` (which should include the StorageAccount), created once by `create`."""
    instance = _instances.get(key)
    if instance is None:
        with _lock:
            instance = _instances.get(key)
            if instance is None:
                instance = create()
                _instances[key] = instance
    return instance


def blob_service_client(settings: Settings | None = None) -> BlobServiceClient:
    """The process-wide BlobServiceClient for the configured account."""
    account = StorageAccount.from_settings(settings or get_settings())

    def create() -> BlobServiceClient:
        from azure.storage.blob import BlobServiceClient

        options: dict[str, Any] = {
            "max_single_put_size": BLOCK_SIZE,
            "max_block_size": BLOCK_SIZE,
            "connection_timeout": 10,
            "read_timeout": 60,
            # The SDK's default retries wait 15 s, 24 s, 42 s: too long for a request a recruiter waits on.
            "retry_total": 3,
            "initial_backoff": 0.5,
            "increment_base": 2,
            **NO_ENV_SETTINGS,
        }
        if account.connection_string:
            return BlobServiceClient.from_connection_string(account.connection_string, **options)
        return BlobServiceClient(
            f"https://{account.account_name}.blob.core.windows.net",
            credential=_credential(account.client_id),
            **options,
        )

    return per_process(("blob", account), create)


def table_service_client(settings: Settings | None = None) -> TableServiceClient:
    """The process-wide TableServiceClient for the configured account."""
    account = StorageAccount.from_settings(settings or get_settings())

    def create() -> TableServiceClient:
        from azure.data.tables import TableServiceClient

        from shared.adapters.http_transport import HttpClientTransport

        # Default retries are 10 with waits up to 2 minutes; a few short ones suit webhooks and requests.
        options: dict[str, Any] = {
            "connection_timeout": 10,
            "read_timeout": 30,
            "retry_total": 3,
            "retry_backoff_factor": 0.4,
            "retry_backoff_max": 4,
            # About 40% less CPU per Table operation than the default, requests-based transport.
            "transport": HttpClientTransport(connection_timeout=10, read_timeout=30),
        }
        if account.connection_string:
            return TableServiceClient.from_connection_string(account.connection_string, **options)
        return TableServiceClient(
            f"https://{account.account_name}.table.core.windows.net",
            credential=_credential(account.client_id),
            **options,
        )

    return per_process(("table", account), create)


def is_transient(error: BaseException) -> bool:
    """A connection failure, a timeout or a 408/429/5xx from the service: worth retrying later (503)."""
    from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

    if isinstance(error, (ServiceRequestError, ServiceResponseError)):
        return True
    return isinstance(error, HttpResponseError) and (error.status_code or 0) in (408, 429, 500, 502, 503, 504)


def container_client(service: BlobServiceClient, name: str) -> ContainerClient:
    """The container `name`, created private (no public access) the first time this process uses it."""
    container = service.get_container_client(name)
    key = ("container", service.url, name)
    if key not in _ensured:
        from azure.core.exceptions import ResourceExistsError

        try:
            container.create_container()  # no public_access: private, reachable only with auth or a SAS
        except ResourceExistsError:
            pass
        _ensured.add(key)
    return container


def table_client(service: TableServiceClient, name: str) -> TableClient:
    """The table `name`, created the first time this process uses it."""
    table = service.get_table_client(name)
    key = ("table", service.url, name)
    if key not in _ensured:
        from azure.core.exceptions import ResourceExistsError

        try:
            table.create_table()
        except ResourceExistsError:
            pass
        _ensured.add(key)
    return table


def forget_ensured(service_url: str, name: str) -> None:
    """Forget that a container/table exists (it was deleted behind our back); the next use recreates it."""
    _ensured.discard(("container", service_url, name))
    _ensured.discard(("table", service_url, name))


def reset_storage_clients() -> None:
    """Drop every cached client (tests and devhost change the storage settings)."""
    with _lock:
        for instance in _instances.values():
            close = getattr(instance, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: S110 - closing a client that is already unusable is harmless
                    pass
        _instances.clear()
        _credentials.clear()
        _ensured.clear()
