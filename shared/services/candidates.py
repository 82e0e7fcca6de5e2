from __future__ import annotations

from typing import Any
from uuid import UUID

from shared.data import candidates as candidate_store
from shared.db import transaction
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.phone import to_e164
from shared.schemas.candidates import Candidate, CandidateCreate, CandidatePage, CandidateUpdate, ResumeInfo
from shared.settings import get_settings


def to_candidate(row: dict) -> Candidate:
    resume = None
    if row.get("resume_file_name"):
        resume = ResumeInfo(
            file_name=row["resume_file_name"],
            content_type=row["resume_content_type"],
            size_bytes=row["resume_size_bytes"],
            pages=row["resume_pages"],
            text_status=row["resume_text_status"],
            text_reason=row["resume_text_reason"],
            uploaded_at=row["resume_uploaded_at"],
        )
    return Candidate(
        id=row["id"],
        name=row["name"],
        phone=row["phone_e164"],
        email=row["email"],
        job_id=row["job_id"],
        sms_consent=row["sms_consent"],
        consent_at=row["consent_at"],
        opted_out=row["opted_out_at"] is not None,
        opted_out_at=row["opted_out_at"],
        resume=resume,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    if "phone" in fields:
        fields["phone_e164"] = to_e164(fields.pop("phone"), get_settings().default_phone_region)
    return fields


def create_candidate(request: CandidateCreate) -> Candidate:
    fields = _fields(request.model_dump())
    with transaction() as cur:
        if request.job_id and not candidate_store.job_exists(cur, request.job_id):
            raise ValidationFailed.single("job_id", f"no job with id {request.job_id}")
        if request.sms_consent:
            cur.execute("SELECT now() AS now")
            fields["consent_at"] = cur.fetchone()["now"]
        candidate_id = candidate_store.insert(cur, fields)
        return to_candidate(candidate_store.get(cur, candidate_id))


def get_candidate(candidate_id: UUID) -> Candidate:
    with transaction() as cur:
        row = candidate_store.get(cur, candidate_id)
    if row is None:
        raise NotFound(f"no candidate with id {candidate_id}")
    return to_candidate(row)


def list_candidates(job_id: UUID | None, search: str | None, limit: int, cursor: str | None) -> CandidatePage:
    if search is not None and len(search) > 200:
        raise ValidationFailed.single("q", "at most 200 characters")
    with transaction() as cur:
        rows, next_cursor = candidate_store.list_page(cur, job_id, search or None, limit, cursor)
    return CandidatePage(items=[to_candidate(r) for r in rows], next_cursor=next_cursor)


def update_candidate(candidate_id: UUID, request: CandidateUpdate) -> Candidate:
    data = request.model_dump(exclude_unset=True)
    for name in ("name", "phone", "sms_consent"):
        if name in data and data[name] is None:
            raise ValidationFailed.single(name, "cannot be null")
    fields = _fields(data)
    with transaction() as cur:
        current = candidate_store.get(cur, candidate_id, for_update=True)
        if current is None:
            raise NotFound(f"no candidate with id {candidate_id}")
        if fields.get("job_id") and not candidate_store.job_exists(cur, fields["job_id"]):
            raise ValidationFailed.single("job_id", f"no job with id {fields['job_id']}")
        if "phone_e164" in fields and fields["phone_e164"] != current["phone_e164"]:
            if candidate_store.active_interview_ids(cur, candidate_id):
                raise Conflict("the phone number cannot change while an interview is running")
        if fields.get("sms_consent") and not current["sms_consent"]:
            cur.execute("SELECT now() AS now")
            fields["consent_at"] = cur.fetchone()["now"]
        elif fields.get("sms_consent") is False:
            fields["consent_at"] = None
        if fields:
            candidate_store.update(cur, candidate_id, fields)
        return to_candidate(candidate_store.get(cur, candidate_id))
