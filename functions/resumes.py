"""Recruiter API: a candidate's resume file."""

from __future__ import annotations

import azure.durable_functions as df
import azure.functions as func

from functions.deferred import deferred_import
from functions.http import ApiRequest, endpoint
from shared.errors import ValidationFailed
from shared.openapi import QueryParam
from shared.resumes.files import DOCX, PDF
from shared.schemas.candidates import ResumeInfo
from shared.schemas.resumes import ResumeLink
from shared.settings import get_settings

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
resumes = deferred_import("shared.services.resumes")
TAGS = ("resumes",)

_FILE_CONTENT = {
    media_type: {"schema": {"type": "string", "contentMediaType": media_type}} for media_type in (PDF, DOCX)
}
UPLOAD_CONTENT = {
    PDF: {"schema": {"type": "string", "contentMediaType": PDF}},
    DOCX: {"schema": {"type": "string", "contentMediaType": DOCX}},
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}},
            "required": ["file"],
        },
        "encoding": {"file": {"contentType": f"{PDF}, {DOCX}, application/octet-stream"}},
    },
}


@endpoint(
    bp,
    "candidates/{id}/resume",
    "PUT",
    role="recruiter",
    summary="Upload or replace the candidate's resume (PDF or DOCX)",
    description=(
        "Send the file as the raw body (Content-Type application/pdf or the DOCX type; the name may be given "
        "in a Content-Disposition header or the `file_name` query parameter) or as multipart/form-data with "
        "a `file` field. The type is decided by the file's content. The text is extracted for scoring; an "
        "encrypted, damaged or image-only file is still stored, with `text_status` failed or empty and a "
        "reason. A new upload replaces the previous file."
    ),
    tags=TAGS,
    request_content=UPLOAD_CONTENT,
    response_model=ResumeInfo,
    query=(QueryParam("file_name", "The original file name, when the body is the raw file."),),
    errors=(400, 413, 415, 503),
)
def upload_resume(request: ApiRequest) -> ResumeInfo:
    from shared.resumes.upload import read_upload

    candidate_id = request.uuid_param()
    settings = get_settings()
    upload = read_upload(
        request.req.headers, request.req.get_body, settings.resume_max_bytes, request.query("file_name")
    )
    return resumes.upload_resume(candidate_id, upload, settings)


@endpoint(
    bp,
    "candidates/{id}/resume",
    "GET",
    role="viewer",
    summary="Get a short-lived link to the resume, or the file itself",
    description=(
        "`download=link` (default) returns a read-only link that expires after RESUME_LINK_MINUTES; "
        "`download=stream` returns the file in the response, with its name in Content-Disposition. "
        "The storage container itself is never public."
    ),
    tags=TAGS,
    response_model=ResumeLink,
    response_alternatives=_FILE_CONTENT,  # download=stream
    query=(
        QueryParam("download", "link (default) or stream.", {"type": "string", "enum": ["link", "stream"]}),
    ),
    errors=(422, 503),
)
def get_resume(request: ApiRequest) -> ResumeLink | func.HttpResponse:
    candidate_id = request.uuid_param()
    mode = request.query("download") or "link"
    if mode not in ("link", "stream"):
        raise ValidationFailed.single("download", "must be link or stream")
    settings = get_settings()
    if mode == "link":
        return resumes.resume_link(candidate_id, settings)
    from shared.adapters.resume_store import content_disposition

    row, data = resumes.read_resume(candidate_id, settings)
    # The Python worker needs the whole body; the blob is read once, without further copies.
    return func.HttpResponse(
        data,
        status_code=200,
        mimetype=row["content_type"],
        headers={
            "Content-Disposition": content_disposition(row["file_name"]),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@endpoint(
    bp,
    "candidates/{id}/resume",
    "DELETE",
    role="recruiter",
    summary="Delete the candidate's resume",
    tags=TAGS,
    status=204,
    errors=(503,),
)
def delete_resume(request: ApiRequest) -> None:
    resumes.delete_resume(request.uuid_param(), get_settings())
