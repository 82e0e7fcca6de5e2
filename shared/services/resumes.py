"""Resumes: upload (validated by content, stored in Blob Storage, text extracted for the scorer), private
download links, deletion."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from shared.adapters.resume_store import ResumeStore, resume_store
from shared.adapters.storage import is_transient
from shared.data import candidates as candidate_store
from shared.data import erasure as pending_store
from shared.data import resumes as resume_rows
from shared.db import transaction
from shared.errors import NotFound, ServiceUnavailable, UnsupportedMediaType
from shared.resumes.extraction import extract_text
from shared.resumes.files import NotAResume, sanitize_file_name, sniff
from shared.resumes.upload import ResumeUpload
from shared.schemas.candidates import ResumeInfo
from shared.schemas.resumes import ResumeLink
from shared.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResumeText:
    """What the scorer gets: the text when extraction worked, else why not (the scorer goes on without)."""

    status: str
    text: str | None
    reason: str | None


def _info(row: dict) -> ResumeInfo:
    return ResumeInfo(
        file_name=row["file_name"],
        content_type=row["content_type"],
        size_bytes=row["size_bytes"],
        pages=row["pages"],
        text_status=row["text_status"],
        text_reason=row["text_reason"],
        uploaded_at=row["uploaded_at"],
    )


@contextmanager
def _storage(action: str) -> Iterator[None]:
    """A storage outage answers 503 (clients retry), not 500."""
    try:
        yield
    except Exception as exc:
        if is_transient(exc):
            log.warning("file storage unavailable while trying to %s", action, exc_info=exc)
            raise ServiceUnavailable(f"file storage is unavailable ({action}); retry shortly") from exc
        raise


def _require_candidate(candidate_id: UUID) -> None:
    with transaction() as cur:
        if candidate_store.get(cur, candidate_id) is None:
            raise NotFound(f"no candidate with id {candidate_id}")


def upload_resume(candidate_id: UUID, upload: ResumeUpload, settings: Settings) -> ResumeInfo:
    """Store the file and its text, replacing any previous resume (whose blob is deleted afterwards)."""
    try:
        file_type = sniff(upload.data, upload.declared_type, upload.file_name)
    except NotAResume as exc:
        raise UnsupportedMediaType(f"{exc}; upload a PDF or a Word (.docx) file") from None
    _require_candidate(candidate_id)
    sha256 = hashlib.sha256(upload.data).hexdigest()
    file_name = sanitize_file_name(upload.file_name, file_type)
    extracted = extract_text(upload.data, file_type)
    store = resume_store(settings)
    blob_name = ResumeStore.blob_name_for(candidate_id, sha256, file_type.extension)
    with _storage("store the resume"):
        store.put(
            blob_name,
            upload.data,
            content_type=file_type.content_type,
            file_name=file_name,
            metadata={"candidate_id": str(candidate_id), "sha256": sha256},
        )
    fields = {
        "blob_name": blob_name,
        "file_name": file_name,
        "content_type": file_type.content_type,
        "size_bytes": upload.size,
        "sha256": sha256,
        "pages": extracted.pages,
        "text_status": extracted.status,
        "text_reason": extracted.reason,
        "text_content": extracted.text,
    }
    try:
        with transaction() as cur:
            if candidate_store.get(cur, candidate_id, for_update=True) is None:
                raise NotFound(f"no candidate with id {candidate_id}")
            previous = resume_rows.upsert(cur, candidate_id, fields)
            # An earlier replacement may still owe the deletion of this very blob: it is current again.
            pending_store.forget_pending(cur, "resume_blob", blob_name)
            old_blob = previous["blob_name"] if previous and previous["blob_name"] != blob_name else None
            pending_id = (
                pending_store.add_pending(cur, candidate_id, "resume_blob", old_blob) if old_blob else None
            )
            row = resume_rows.get(cur, candidate_id)
    except BaseException:
        # The candidate vanished (erased meanwhile) or the database failed: the new blob must not linger.
        _delete_orphan(store, candidate_id, blob_name)
        raise
    if pending_id is not None:
        from shared.services.erasure import run_storage_cleanup

        run_storage_cleanup(settings, ids=[pending_id])
    assert row is not None
    return _info(row)


def _delete_orphan(store: ResumeStore, candidate_id: UUID, blob_name: str) -> None:
    """Best effort: a blob that stays behind is under the candidate's prefix, which an erasure sweeps."""
    try:
        with transaction() as cur:
            if resume_rows.blob_in_use(cur, blob_name):
                return  # an identical upload that did commit uses it
            pending_id = pending_store.add_pending(cur, candidate_id, "resume_blob", blob_name)
    except Exception:
        log.warning("could not check an uploaded resume blob after a failed upload; it is left for erasure")
        return
    try:
        store.delete(blob_name)
        with transaction() as cur:
            pending_store.done(cur, pending_id)
    except Exception:
        log.warning("could not delete a resume blob after a failed upload; queued for retry")


def _current(candidate_id: UUID) -> dict:
    with transaction() as cur:
        if candidate_store.get(cur, candidate_id) is None:
            raise NotFound(f"no candidate with id {candidate_id}")
        row = resume_rows.get(cur, candidate_id)
    if row is None:
        raise NotFound(f"candidate {candidate_id} has no resume")
    return row


def resume_link(candidate_id: UUID, settings: Settings, expires_in: timedelta | None = None) -> ResumeLink:
    """A short-lived, read-only link to the candidate's resume (RESUME_LINK_MINUTES by default)."""
    row = _current(candidate_id)
    with _storage("sign a download link"):  # a user delegation key comes from the service
        link = resume_store(settings).link(
            row["blob_name"],
            expires_in=expires_in or timedelta(minutes=settings.resume_link_minutes),
            file_name=row["file_name"],
            content_type=row["content_type"],
        )
    return ResumeLink(
        url=link.url, expires_at=link.expires_at, file_name=row["file_name"], content_type=row["content_type"]
    )


def read_resume(candidate_id: UUID, settings: Settings) -> tuple[dict, bytes]:
    """The resume row and the file's bytes (for streaming it to an authorised caller)."""
    from shared.adapters.resume_store import ResumeBlobNotFound

    row = _current(candidate_id)
    try:
        with _storage("read the resume"):
            return row, resume_store(settings).read(row["blob_name"])
    except ResumeBlobNotFound:
        log.error("resume blob missing for a candidate with a resume row")
        raise NotFound(f"the resume file of candidate {candidate_id} is missing") from None


def delete_resume(candidate_id: UUID, settings: Settings) -> None:
    """Remove the resume: the row at once, the blob right after (retried if storage fails)."""
    with transaction() as cur:
        if candidate_store.get(cur, candidate_id, for_update=True) is None:
            raise NotFound(f"no candidate with id {candidate_id}")
        blob_name = resume_rows.delete(cur, candidate_id)
        if blob_name is None:
            raise NotFound(f"candidate {candidate_id} has no resume")
        pending_id = pending_store.add_pending(cur, candidate_id, "resume_blob", blob_name)
    from shared.services.erasure import run_storage_cleanup

    run_storage_cleanup(settings, ids=[pending_id])


def resume_text_for_scoring(candidate_id: UUID) -> ResumeText | None:
    """The resume text for the scorer; None when the candidate has no resume."""
    with transaction() as cur:
        row = resume_rows.text_for_scoring(cur, candidate_id)
    if row is None:
        return None
    return ResumeText(status=row["text_status"], text=row["text_content"], reason=row["text_reason"])
