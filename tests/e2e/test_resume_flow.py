"""A resume uploaded through devhost lands in Azurite, is read for scoring, and downloads by a short link."""

from __future__ import annotations

import io

import pytest
import requests
from pypdf import PdfWriter

pytestmark = pytest.mark.e2e


def small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_upload_link_and_erasure_through_devhost(devhost):
    candidate = devhost.api("POST", "/api/candidates", {"name": "Rae", "phone": "+14155550301"})
    data = small_pdf()
    upload = devhost.session.put(
        devhost.url + f"/api/candidates/{candidate['id']}/resume",
        data=data,
        headers={
            "Authorization": f"Bearer {devhost.token}",
            "Content-Type": "application/pdf",
            "X-File-Name": "cv.pdf",
        },  # fmt: skip
        timeout=30,
    )
    assert upload.status_code in (200, 201), upload.text
    link = devhost.api("GET", f"/api/candidates/{candidate['id']}/resume")
    downloaded = requests.get(link["url"], timeout=10)
    assert downloaded.status_code == 200 and downloaded.content == data
    assert (
        devhost.api("GET", f"/api/candidates/{candidate['id']}")["resume"]["content_type"]
        == "application/pdf"
    )
    assert devhost.request("DELETE", f"/api/candidates/{candidate['id']}").status_code == 200
    assert requests.get(link["url"], timeout=10).status_code == 404
