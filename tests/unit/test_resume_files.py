from __future__ import annotations

import io
import zipfile

import pytest

from shared.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from shared.resumes.extraction import extract_text
from shared.resumes.files import DOCX, PDF, FileType, NotAResume, sanitize_file_name, sniff
from shared.resumes.upload import file_name_from_disposition, read_upload
from tests.support.documents import flate_bomb_pdf, make_docx, make_pdf

PDF_TYPE = FileType("pdf", PDF)
DOCX_TYPE = FileType("docx", DOCX)


def test_sniff_decides_by_content_not_by_the_declared_type_or_name():
    pdf = make_pdf(["hello"])
    assert sniff(pdf, DOCX, "cv.docx") == PDF_TYPE
    assert sniff(make_docx(["hi"]), PDF, "cv.pdf") == DOCX_TYPE
    with pytest.raises(NotAResume):
        sniff(b"just some text, honestly a PDF", PDF, "cv.pdf")


def test_sniff_refuses_zip_files_that_are_not_plain_word_documents():
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(NotAResume):
        sniff(other.getvalue(), DOCX)
    docx = make_docx(["macro"])
    source = zipfile.ZipFile(io.BytesIO(docx))
    macro = io.BytesIO()
    with zipfile.ZipFile(macro, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"document.macroEnabled.main+xml").replace(
                    b"officedocument.wordprocessingml.document.macroEnabled",
                    b"ms-word.document.macroEnabled",
                )
            archive.writestr(item, data)
    with pytest.raises(NotAResume, match="macro"):
        sniff(macro.getvalue(), DOCX)


def test_a_damaged_zip_is_kept_as_docx_only_when_the_client_said_docx():
    damaged = b"PK\x03\x04" + b"\x00" * 200
    assert sniff(damaged, DOCX) == FileType("docx", DOCX, damaged=True)
    assert sniff(damaged, None, "cv.docx").damaged
    with pytest.raises(NotAResume):
        sniff(damaged, "application/octet-stream", "cv.zip")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C:\\Users\\ann\\Desktop\\cv.pdf", "cv.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("Zoë Ångström – CV.pdf", "Zoë Ångström – CV.pdf"),
        ("履歴書.PDF", "履歴書.pdf"),
        ("cv\u202efdp.exe", "cvfdp.exe.pdf"),
        ("bell\x07\ttab\nname.pdf", "belltabname.pdf"),
        ('a"b<c>d|e?.pdf', "a_b_c_d_e_.pdf"),
        ("cv.docx", "cv.pdf"),
        ("J. Smith", "J. Smith.pdf"),
        ("...", "resume.pdf"),
        ("", "resume.pdf"),
        (None, "resume.pdf"),
    ],
)
def test_file_names_are_sanitised_and_get_the_real_extension(raw, expected):
    assert sanitize_file_name(raw, PDF_TYPE) == expected


def test_long_file_names_are_bounded_and_keep_their_extension():
    name = sanitize_file_name("é" * 500 + ".docx", DOCX_TYPE)
    assert len(name) == 150 and name.endswith("é.docx")


def test_pdf_text_extraction_reads_every_page_in_order():
    result = extract_text(make_pdf(["Ada Lovelace\nAnalytical Engine", "Second page (notes)"]), PDF_TYPE)
    assert result.status == "ok" and result.pages == 2 and result.reason is None
    assert result.text == "Ada Lovelace\nAnalytical Engine\n\nSecond page (notes)"


def test_pdf_limits_on_pages_and_characters_are_reported():
    pdf = make_pdf([f"page {n} " + "x" * 40 for n in range(1, 8)])
    by_pages = extract_text(pdf, PDF_TYPE, max_pages=3)
    assert by_pages.status == "ok" and by_pages.pages == 7
    assert "page 3" in by_pages.text and "page 4" not in by_pages.text
    assert by_pages.reason == "text taken from the first 3 of 7 pages"
    by_chars = extract_text(pdf, PDF_TYPE, max_chars=60)
    assert len(by_chars.text) == 60 and "truncated to 60 characters" in by_chars.reason


def test_encrypted_corrupt_and_image_only_pdfs_have_a_status_and_reason():
    encrypted = extract_text(make_pdf(["secret"], password="s3cret"), PDF_TYPE)
    assert encrypted.status == "failed" and encrypted.reason.startswith("encrypted")
    corrupt = extract_text(b"%PDF-1.7\n" + b"\x8f garbage " * 300, PDF_TYPE)
    assert corrupt.status == "failed" and "damaged" in corrupt.reason and corrupt.text is None
    scanned = extract_text(make_pdf([""], image_only=True), PDF_TYPE)
    assert scanned.status == "empty" and scanned.pages == 1 and "scan" in scanned.reason


def test_a_pdf_with_an_empty_user_password_still_gives_its_text():
    result = extract_text(make_pdf(["Owner-restricted CV"], password=""), PDF_TYPE)
    assert result.status == "ok" and result.text == "Owner-restricted CV"


def test_a_flate_bomb_page_is_not_inflated_past_the_limit():
    import tracemalloc

    bomb = flate_bomb_pdf(300 * 1024 * 1024)
    tracemalloc.start()
    result = extract_text(bomb, PDF_TYPE)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.status in ("empty", "failed")
    assert peak < 80 * 1024 * 1024


def test_pdf_extraction_releases_what_it_read_and_respects_its_time_budget():
    import tracemalloc

    pdf = make_pdf(["Photo CV", "page two"], image_bytes=4 * 1024 * 1024)
    tracemalloc.start()
    result = extract_text(pdf, PDF_TYPE)
    retained, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.text.startswith("Photo CV")
    assert retained < 512 * 1024  # the 4 MB image stream pypdf read is gone, not waiting for the GC
    out_of_time = extract_text(pdf, PDF_TYPE, time_budget=0)
    assert out_of_time.status == "empty" and "first 0 of 2 pages (time limit)" in out_of_time.reason


def test_a_docx_with_malformed_xml_fails_as_damaged():
    source = zipfile.ZipFile(io.BytesIO(make_docx(["x"])))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        for item in source.infolist():
            data = b"<w:document><unclosed>" if item.filename == "word/document.xml" else source.read(item)
            archive.writestr(item, data)
    result = extract_text(broken.getvalue(), DOCX_TYPE)
    assert result.status == "failed" and "damaged" in result.reason


def test_docx_text_includes_tables_and_survives_a_bomb_in_its_media():
    docx = make_docx(["Grace Hopper", "Compilers"], table=[["Skill", "Years"], ["COBOL", "30"]])
    result = extract_text(docx, DOCX_TYPE)
    assert result.status == "ok"
    assert result.text == "Grace Hopper\nCompilers\nSkill | Years\nCOBOL | 30"
    # A 256 MB image that compresses to a few hundred KB: python-docx never sees its content.
    source = zipfile.ZipFile(io.BytesIO(docx))
    bombed = io.BytesIO()
    with zipfile.ZipFile(bombed, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        with archive.open("word/media/image1.png", "w", force_zip64=True) as image:
            block = b"\x00" * (16 * 1024 * 1024)
            for _ in range(16):
                image.write(block)
    assert len(bombed.getvalue()) < 3 * 1024 * 1024
    assert extract_text(bombed.getvalue(), DOCX_TYPE).text == result.text


def test_docx_whose_xml_claims_to_be_huge_is_refused_without_inflating_it():
    docx = make_docx(["x"])
    source = zipfile.ZipFile(io.BytesIO(docx))
    bombed = io.BytesIO()
    with zipfile.ZipFile(bombed, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        with archive.open("word/bomb.xml", "w", force_zip64=True) as part:
            block = b" " * (16 * 1024 * 1024)
            for _ in range(4):
                part.write(block)
    result = extract_text(bombed.getvalue(), DOCX_TYPE)
    assert result.status == "failed" and "too much data" in result.reason


def test_damaged_docx_fails_with_a_reason():
    result = extract_text(b"PK\x03\x04broken", FileType("docx", DOCX, damaged=True))
    assert result.status == "failed" and "damaged" in result.reason


def _multipart(parts: list[tuple[str, str | None, str | None, bytes]], boundary: str = "b0undary") -> bytes:
    out = b""
    for name, file_name, content_type, data in parts:
        out += f"--{boundary}\r\n".encode()
        disposition = f'Content-Disposition: form-data; name="{name}"'
        if file_name is not None:
            disposition += f'; filename="{file_name}"'
        out += disposition.encode() + b"\r\n"
        if content_type:
            out += f"Content-Type: {content_type}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def test_multipart_upload_yields_a_view_of_the_file_part_with_its_utf8_name():
    pdf = make_pdf(["hi"])
    body = _multipart([("note", None, None, b"hello"), ("file", "Zoë.pdf", PDF, pdf)])
    upload = read_upload(
        {"Content-Type": 'multipart/form-data; boundary="b0undary"'}, lambda: body, 1024 * 1024
    )
    assert isinstance(upload.data, memoryview) and bytes(upload.data) == pdf
    assert upload.file_name == "Zoë.pdf" and upload.declared_type == PDF


def test_multipart_errors_are_400():
    headers = {"Content-Type": "multipart/form-data; boundary=b0undary"}
    with pytest.raises(BadRequest, match="'file'"):
        read_upload(headers, lambda: _multipart([("other", None, None, b"x")]), 1024)
    with pytest.raises(BadRequest, match="truncated"):
        read_upload(headers, lambda: _multipart([("file", "a.pdf", PDF, b"%PDF-" + b"x" * 100)])[:-30], 1024)
    with pytest.raises(BadRequest, match="boundary"):
        read_upload({"Content-Type": "multipart/form-data"}, lambda: b"x", 1024)


def test_upload_framing_errors():
    never = lambda: pytest.fail("the body must not be read")  # noqa: E731
    with pytest.raises(UnsupportedMediaType):
        read_upload({"Content-Type": "text/plain"}, never, 1024)
    with pytest.raises(PayloadTooLarge):
        read_upload({"Content-Type": PDF, "Content-Length": "1025"}, never, 1024)
    with pytest.raises(PayloadTooLarge):
        read_upload({"Content-Type": PDF}, lambda: b"%" * 1025, 1024)
    with pytest.raises(BadRequest, match="empty"):
        read_upload({"Content-Type": PDF}, lambda: b"", 1024)


def test_raw_upload_takes_its_name_from_content_disposition():
    upload = read_upload(
        {
            "Content-Type": PDF,
            "Content-Disposition": "attachment; filename=\"cv.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
        },
        lambda: b"%PDF-1.4",
        1024,
        file_name="from-query.pdf",
    )
    assert upload.file_name == "résumé.pdf"
    assert file_name_from_disposition('attachment; filename="plain.pdf"') == "plain.pdf"
    assert file_name_from_disposition(None) is None


def test_content_disposition_round_trips_unicode_names():
    from email.message import EmailMessage

    from shared.adapters.resume_store import content_disposition

    name = 'Zoë "Z" Ångström.pdf'
    header = content_disposition(name)
    ascii_part, extended_part = header.split("; filename*=")
    assert ascii_part == 'attachment; filename="Zoe _Z_ Angstrom.pdf"'
    assert file_name_from_disposition(header) == name
    # An independent RFC 2231/8187 decoder reads the same name from the extended parameter.
    message = EmailMessage()
    message["Content-Disposition"] = "attachment; filename*=" + extended_part
    assert message.get_filename() == name
