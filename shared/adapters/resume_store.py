"""Resume files in a private Blob Storage container.

Blob names are derived from the candidate and the file's content hash, `{candidate_id}/{sha256}.{ext}`,
never from the name the user gave the file: nothing user-controlled reaches the storage path, identical
re-uploads land on the same blob, and everything a candidate ever uploaded sits under one prefix that an
erasure can sweep. The original (sanitised) file name travels as metadata (percent-encoded: metadata is
ASCII-only) and as the blob's Content-Disposition.

Reads by people go through short-lived, read-only SAS links: a user-delegation SAS signed with a key the
managed identity obtains (`get_user_delegation_key`) in Azure, an account-key SAS with a connection string
(Azurite). The container never allows public access.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote
from uuid import UUID

from shared.adapters import storage
from shared.buffers import MemoryReader
from shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient, ContainerClient

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")
# Allowance for the difference between our clock and the storage service's when a link starts.
_CLOCK_SKEW = timedelta(minutes=5)
# A user delegation key is valid up to 7 days; one per few hours is plenty and saves a call per link.
_DELEGATION_KEY_LIFETIME = timedelta(hours=6)


class ResumeBlobNotFound(LookupError):
    """No blob by that name (already deleted, or never stored)."""


@dataclass(frozen=True)
class ResumeLink:
    url: str
    expires_at: datetime


@dataclass
class StoredResume:
    """An open download: `chunks()` yields the content piece by piece, without holding all of it."""

    blob_name: str
    size: int
    content_type: str | None
    file_name: str | None
    metadata: dict[str, str]
    _downloader: Any = field(repr=False)

    def chunks(self) -> Iterator[bytes]:
        return self._downloader.chunks()

    def read(self) -> bytes:
        return self._downloader.readall()


def content_disposition(file_name: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII `filename` for old clients plus `filename*` (RFC 8187, UTF-8) with the real name."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "_", ascii_name).strip() or "resume"
    if ascii_name.startswith("."):
        ascii_name = "resume" + ascii_name
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


class ResumeStore:
    def __init__(self, service: BlobServiceClient, container: str) -> None:
        self._service = service
        self._container_name = container
        self._delegation_key: Any = None
        self._delegation_key_expiry = datetime.min.replace(tzinfo=UTC)
        self._key_lock = threading.Lock()

    @staticmethod
    def blob_name_for(candidate_id: UUID, sha256: str, extension: str) -> str:
        if not _SHA256.match(sha256):
            raise ValueError("sha256 must be 64 lowercase hex digits")
        if not _EXTENSION.match(extension):
            raise ValueError("extension must be 1-8 lowercase letters or digits")
        return f"{UUID(str(candidate_id))}/{sha256}.{extension}"

    @staticmethod
    def prefix_for(candidate_id: UUID) -> str:
        return f"{UUID(str(candidate_id))}/"

    @property
    def container_name(self) -> str:
        return self._container_name

    def _container(self) -> ContainerClient:
        return storage.container_client(self._service, self._container_name)

    def put(
        self,
        blob_name: str,
        data: bytes | memoryview,
        *,
        content_type: str,
        file_name: str,
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Store `data` (overwriting: the name is the content hash, so a rewrite stores the same bytes).

        The upload reads `data` in blocks through a view, so memory holds no second full copy.
        """
        from azure.core.exceptions import ResourceNotFoundError
        from azure.storage.blob import ContentSettings

        all_metadata = {"file_name": quote(file_name, safe=""), **(metadata or {})}
        settings = ContentSettings(
            content_type=content_type, content_disposition=content_disposition(file_name)
        )
        size = len(memoryview(data))
        for attempt in range(2):
            try:
                self._container().upload_blob(
                    blob_name,
                    MemoryReader(data),
                    length=size,
                    overwrite=True,
                    content_settings=settings,
                    metadata=all_metadata,
                )
                return
            except ResourceNotFoundError:
                # The container was deleted since this process created it: create it again, once.
                if attempt:
                    raise
                storage.forget_ensured(self._service.url, self._container_name)

    def open(self, blob_name: str) -> StoredResume:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            downloader = self._container().download_blob(blob_name)
        except ResourceNotFoundError:
            raise ResumeBlobNotFound(blob_name) from None
        properties = downloader.properties
        metadata = dict(properties.metadata or {})
        return StoredResume(
            blob_name=blob_name,
            size=properties.size,
            content_type=properties.content_settings.content_type,
            file_name=unquote(metadata["file_name"]) if "file_name" in metadata else None,
            metadata=metadata,
            _downloader=downloader,
        )

    def read(self, blob_name: str) -> bytes:
        return self.open(blob_name).read()

    def exists(self, blob_name: str) -> bool:
        return self._container().get_blob_client(blob_name).exists()

    def delete(self, blob_name: str) -> bool:
        """Delete the blob and its snapshots; False when it did not exist (deleting twice is fine)."""
        from azure.core.exceptions import ResourceNotFoundError

        try:
            self._container().delete_blob(blob_name, delete_snapshots="include")
            return True
        except ResourceNotFoundError:
            return False

    def names(self, prefix: str) -> list[str]:
        return [blob.name for blob in self._container().list_blobs(name_starts_with=prefix)]

    def delete_prefix(self, prefix: str) -> int:
        """Delete every blob whose name starts with `prefix` (e.g. all of one candidate's files)."""
        if not prefix.endswith("/") or len(prefix) < 2:
            raise ValueError("the prefix must be a folder such as '<candidate id>/'")
        return sum(1 for name in self.names(prefix) if self.delete(name))

    def link(self, blob_name: str, *, expires_in: timedelta, file_name: str, content_type: str) -> ResumeLink:
        """A read-only SAS URL for one blob, valid for `expires_in`; it downloads as `file_name`."""
        from azure.storage.blob import BlobSasPermissions, generate_blob_sas

        if expires_in <= timedelta(0) or expires_in > timedelta(hours=1):
            raise ValueError("a resume link lasts between 1 second and 1 hour")
        now = datetime.now(UTC)
        expires_at = now + expires_in
        signing: dict[str, Any] = {}
        account_key = getattr(self._service.credential, "account_key", None)
        if account_key:
            signing["account_key"] = account_key
        else:
            signing["user_delegation_key"] = self._user_delegation_key(now, expires_at)
        blob = self._service.get_blob_client(self._container_name, blob_name)
        sas = generate_blob_sas(
            account_name=self._service.account_name,
            container_name=self._container_name,
            blob_name=blob_name,
            permission=BlobSasPermissions(read=True),
            start=now - _CLOCK_SKEW,
            expiry=expires_at,
            protocol="https" if blob.url.startswith("https://") else None,
            content_disposition=content_disposition(file_name),
            content_type=content_type,
            **signing,
        )
        return ResumeLink(url=f"{blob.url}?{sas}", expires_at=expires_at)

    def _user_delegation_key(self, now: datetime, link_expiry: datetime) -> Any:
        """A delegation key covering the link's lifetime, reused across links until it nears expiry."""
        with self._key_lock:
            if self._delegation_key is None or self._delegation_key_expiry < link_expiry + _CLOCK_SKEW:
                expiry = now + _DELEGATION_KEY_LIFETIME
                self._delegation_key = self._service.get_user_delegation_key(now - _CLOCK_SKEW, expiry)
                self._delegation_key_expiry = expiry
            return self._delegation_key


def resume_store(settings: Settings | None = None) -> ResumeStore:
    """The process-wide ResumeStore for the configured account and RESUME_CONTAINER."""
    settings = settings or get_settings()
    account = storage.StorageAccount.from_settings(settings)
    return storage.per_process(
        ("resume_store", account, settings.resume_container),
        lambda: ResumeStore(storage.blob_service_client(settings), settings.resume_container),
    )
