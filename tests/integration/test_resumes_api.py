"""Resume upload, download and deletion through the registered functions, with PostgreSQL and Azurite."""

from __future__ import annotations

import hashlib
import urllib.request
import uuid

import psycopg2
import pytest
from psycopg2.extras import RealDictCursor

from shared.adapters.resume_store import ResumeStore, resume_store
from shared.resumes.files import DOCX, PDF
from shared.resumes.upload import file_name_from_disposition
from tests.support.documents import make_docx, make_pdf
from tests.support.functions_host import call

pytestmark = pytest.mark.usefixtures("azurite")

RESUME_TEXT = "Ada Lovelace\nMathematician, first programmer"


def new_candidate(phone: str = "+14155550100") -> str:
    response = call("POST", "candidates", json={"name": "Ada Lovelace", "phone": phone})
    assert response.status == 201, response
    return response.json()["id"]


def upload(candidate_id: str, data: bytes, content_type: str = PDF, **kwargs):
    headers = {"Content-Type": content_type, **kwargs.pop("headers", {})}
    return call("PUT", f"candidates/{candidate_id}/resume", body=data, headers=headers, **kwargs)


def resume_row(database_url: str, candidate_id: str) -> dict | None:
    with psycopg2.connect(database_url) as conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
        cur.execute("SELECT * FROM resumes WHERE candidate_id = %s", (candidate_id,))
        return cur.fetchone()


def blobs_of(candidate_id: str) -> list[str]:
    return resume_store().names(f"{candidate_id}/")


def test_pdf_upload_stores_the_file_privately_and_its_text_for_the_scorer(database_url):
    candidate = new_candidate()
    pdf = make_pdf([RESUME_TEXT, "Skills: analysis"])
    response = upload(candidate, pdf, params={"file_name": "Ada CV.pdf"})
    assert response.status == 200, response
    info = response.json()
    assert info["file_name"] == "Ada CV.pdf"
    assert (info["content_type"], info["size_bytes"], info["pages"]) == (PDF, len(pdf), 2)
    assert (info["text_status"], info["text_reason"]) == ("ok", None)
    assert call("GET", f"candidates/{candidate}").json()["resume"] == info

    row = resume_row(database_url, candidate)
    sha = hashlib.sha256(pdf).hexdigest()
    assert row["blob_name"] == f"{candidate}/{sha}.pdf" and row["sha256"] == sha
    assert row["text_content"] == RESUME_TEXT + "\n\nSkills: analysis"
    assert resume_store().read(row["blob_name"]) == pdf

    from shared.services.resumes import resume_text_for_scoring

    for_scoring = resume_text_for_scoring(uuid.UUID(candidate))
    assert for_scoring.status == "ok" and for_scoring.text.startswith("Ada Lovelace")


def test_download_link_and_stream_return_the_exact_bytes():
    candidate = new_candidate()
    pdf = make_pdf([RESUME_TEXT])
    upload(candidate, pdf, headers={"Content-Disposition": "attachment; filename*=UTF-8''Ada%20CV.pdf"})
    link = call("GET", f"candidates/{candidate}/resume")
    assert link.status == 200, link
    body = link.json()
    assert (body["file_name"], body["content_type"]) == ("Ada CV.pdf", PDF)
    assert body["url"].startswith("http://127.0.0.1:") and "sig=" in body["url"]
    with urllib.request.urlopen(body["url"], timeout=10) as downloaded:
        assert downloaded.read() == pdf
    streamed = call("GET", f"candidates/{candidate}/resume", params={"download": "stream"})
    assert streamed.status == 200 and streamed.body == pdf
    assert streamed.content_type == PDF
    assert file_name_from_disposition(streamed.headers["Content-Disposition"]) == "Ada CV.pdf"
    assert streamed.headers["Cache-Control"] == "private, no-store"
    assert call("GET", f"candidates/{candidate}/resume", params={"download": "zip"}).status == 422


def test_multipart_docx_upload_with_a_hostile_unicode_name():
    candidate = new_candidate()
    docx = make_docx(["Grace Hopper", "Rear admiral, compilers"], table=[["COBOL", "1959"]])
    name = "..\\..\\Windows\\Zoë/Ångström \u202eCV\x07.docx"
    boundary = "----formboundary7MA4YWxk"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {DOCX}\r\n\r\n"
        ).encode()
        + docx
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = upload(candidate, body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status == 200, response
    info = response.json()
    assert info["file_name"] == "Ångström CV.docx"
    assert (info["content_type"], info["text_status"], info["size_bytes"]) == (DOCX, "ok", len(docx))
    streamed = call("GET", f"candidates/{candidate}/resume", params={"download": "stream"})
    assert streamed.body == docx
    assert file_name_from_disposition(streamed.headers["Content-Disposition"]) == "Ångström CV.docx"
    stored = resume_store().open(blobs_of(candidate)[0])
    assert stored.file_name == "Ångström CV.docx" and stored.metadata["file_name"].isascii()


def test_a_pdf_named_docx_is_stored_as_the_pdf_it_is():
    candidate = new_candidate()
    response = upload(candidate, make_pdf([RESUME_TEXT]), content_type=DOCX, params={"file_name": "cv.docx"})
    assert response.status == 200, response
    assert (response.json()["content_type"], response.json()["file_name"]) == (PDF, "cv.pdf")
    assert blobs_of(candidate)[0].endswith(".pdf")


def test_other_files_are_refused_and_nothing_is_stored(database_url):
    candidate = new_candidate()
    text_as_pdf = upload(candidate, b"Dear hiring manager, please find my CV attached.", PDF)
    assert text_as_pdf.status == 415 and text_as_pdf.content_type == "application/problem+json"
    assert upload(candidate, b"GIF89a....", "image/gif").status == 415
    assert upload(candidate, b"", PDF).status == 400
    assert resume_row(database_url, candidate) is None and blobs_of(candidate) == []


def test_size_limit_is_enforced_from_content_length_and_from_the_body():
    candidate = new_candidate()
    limit = 10 * 1024 * 1024
    too_big = upload(candidate, b"%PDF-1.4\n" + b"0" * limit, PDF)
    assert too_big.status == 413, too_big
    declared_only = upload(candidate, b"%PDF-1.4", PDF, headers={"Content-Length": str(limit + 1)})
    assert declared_only.status == 413
    assert declared_only.json()["max_bytes"] == limit


def test_unreadable_files_are_kept_with_a_reason_the_recruiter_sees():
    cases = {
        "corrupt": (b"%PDF-1.7\n" + b"\xde\xad\xbe\xef not a pdf body " * 100, "failed", "damaged"),
        "encrypted": (make_pdf([RESUME_TEXT], password="hunter2"), "failed", "encrypted"),
        "scanned": (make_pdf([""], image_only=True), "empty", "no text found"),
    }
    for data, status, reason in cases.values():
        candidate = new_candidate()
        response = upload(candidate, data)
        assert response.status == 200, response
        info = call("GET", f"candidates/{candidate}").json()["resume"]
        assert info["text_status"] == status and reason in info["text_reason"]
        assert resume_store().read(blobs_of(candidate)[0]) == data


def test_a_new_upload_replaces_the_old_file_and_deletes_its_blob(database_url):
    candidate = new_candidate()
    first, second = make_pdf(["first version"]), make_docx(["second version"])
    upload(candidate, first)
    old_blob = resume_row(database_url, candidate)["blob_name"]
    response = upload(candidate, second, DOCX)
    assert response.status == 200
    assert blobs_of(candidate) == [resume_row(database_url, candidate)["blob_name"]]
    assert old_blob not in blobs_of(candidate)
    assert resume_row(database_url, candidate)["text_content"] == "second version"
    again = upload(candidate, second, DOCX)  # the same file again: same blob, kept
    assert again.status == 200 and len(blobs_of(candidate)) == 1


def test_a_failed_old_blob_deletion_is_queued_and_retried(database_url, monkeypatch):
    from shared.services.erasure import run_storage_cleanup
    from shared.settings import get_settings

    candidate = new_candidate()
    upload(candidate, make_pdf(["one"]))
    old_blob = resume_row(database_url, candidate)["blob_name"]
    original_delete = ResumeStore.delete

    def storage_down(self, blob_name):
        raise ConnectionError("storage unreachable")

    monkeypatch.setattr(ResumeStore, "delete", storage_down)
    assert upload(candidate, make_pdf(["two"])).status == 200
    assert old_blob in blobs_of(candidate)
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT kind, target, last_error FROM erasure_pending")
        assert cur.fetchall() == [("resume_blob", old_blob, "ConnectionError: storage unreachable")]
        cur.execute("UPDATE erasure_pending SET next_attempt_at = now()")
    monkeypatch.setattr(ResumeStore, "delete", original_delete)
    assert run_storage_cleanup(get_settings()) == 0
    assert old_blob not in blobs_of(candidate) and len(blobs_of(candidate)) == 1
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM erasure_pending")
        assert cur.fetchone()[0] == 0


def test_a_storage_outage_is_503_and_leaves_no_row(database_url, monkeypatch):
    from azure.core.exceptions import ServiceRequestError

    candidate = new_candidate()

    def unreachable(*args, **kwargs):
        raise ServiceRequestError("connection refused")

    monkeypatch.setattr(ResumeStore, "put", unreachable)
    response = upload(candidate, make_pdf([RESUME_TEXT]))
    assert response.status == 503 and response.headers["Retry-After"] == "5"
    assert resume_row(database_url, candidate) is None


def test_delete_resume_removes_row_and_blob():
    candidate = new_candidate()
    upload(candidate, make_pdf([RESUME_TEXT]))
    assert call("DELETE", f"candidates/{candidate}/resume").status == 204
    assert call("GET", f"candidates/{candidate}").json()["resume"] is None
    assert blobs_of(candidate) == []
    assert call("GET", f"candidates/{candidate}/resume").status == 404
    assert call("DELETE", f"candidates/{candidate}/resume").status == 404


def test_roles_and_unknown_candidates():
    candidate = new_candidate()
    viewer = call("POST", "tokens", json={"role": "viewer", "label": "viewer"}).json()["token"]
    assert upload(candidate, make_pdf([RESUME_TEXT]), token=viewer).status == 403
    assert upload(candidate, make_pdf([RESUME_TEXT]), token=None).status == 401
    assert upload(candidate, make_pdf([RESUME_TEXT])).status == 200
    assert call("GET", f"candidates/{candidate}/resume", token=viewer).status == 200
    assert call("DELETE", f"candidates/{candidate}/resume", token=viewer).status == 403
    unknown = str(uuid.uuid4())
    assert upload(unknown, make_pdf([RESUME_TEXT])).status == 404
    assert blobs_of(unknown) == []
    assert call("GET", f"candidates/{unknown}/resume").status == 404
    assert call("GET", f"candidates/{new_candidate('+14155550101')}/resume").status == 404


def test_openapi_describes_the_resume_and_erasure_operations():
    from openapi_spec_validator import validate

    document = call("GET", "openapi.json", token=None).json()
    validate(document)
    put = document["paths"]["/api/candidates/{id}/resume"]["put"]
    assert set(put["requestBody"]["content"]) == {PDF, DOCX, "multipart/form-data"}
    assert {"200", "400", "401", "403", "404", "413", "415"} <= set(put["responses"])
    get = document["paths"]["/api/candidates/{id}/resume"]["get"]
    assert "url" in document["components"]["schemas"]["ResumeLink"]["properties"]
    assert [p["name"] for p in get["parameters"] if p["in"] == "query"] == ["download"]
    erase = document["paths"]["/api/candidates/{id}"]["delete"]
    assert {"200", "409"} <= set(erase["responses"])
