"""Text of a resume for the scorer, extracted defensively.

A resume is untrusted input: it may be encrypted, damaged, image-only, or built to exhaust memory or time
(a decompression bomb, thousands of pages). Extraction never raises: it returns a status the recruiter sees
("ok", "empty" or "failed" with a reason), and the file is kept either way; the scorer works without text.
Bounds: at most MAX_PAGES pages and MAX_CHARS characters are read, pypdf's decoders are capped well below
their defaults, a time budget is checked between pages, and a DOCX is opened with its media emptied so
python-docx never inflates images, after checking how large its XML parts claim to be.
"""

from __future__ import annotations

import logging
import re
import time
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any, Literal

from shared.buffers import MemoryReader
from shared.resumes.files import FileType

log = logging.getLogger(__name__)

MAX_CHARS = 50_000
MAX_PAGES = 50
TIME_BUDGET_SECONDS = 10.0
# pypdf limits for one stream / image; a resume's page content is kilobytes, its images a few megabytes.
PDF_MAX_DECODED_STREAM = 16 * 1024 * 1024
# A DOCX's XML parts (text, styles, numbering...) total well under a few megabytes for any real resume.
DOCX_MAX_XML_BYTES = 32 * 1024 * 1024
DOCX_MAX_ENTRIES = 2_000

TextStatus = Literal["ok", "empty", "failed"]
_DAMAGED_PDF = "the PDF is damaged or not a valid PDF and cannot be read"
_NO_TEXT = "no text found: the file may be a scan or contain only images"


@dataclass(frozen=True)
class ExtractedText:
    status: TextStatus
    text: str | None
    pages: int | None
    reason: str | None


def extract_text(
    data: bytes | memoryview,
    file_type: FileType,
    *,
    max_chars: int = MAX_CHARS,
    max_pages: int = MAX_PAGES,
    time_budget: float = TIME_BUDGET_SECONDS,
) -> ExtractedText:
    """Extract the text of a PDF or DOCX; never raises."""
    if file_type.damaged:
        return ExtractedText(
            "failed", None, None, f"the {file_type.kind.upper()} file is damaged and cannot be read"
        )
    try:
        if file_type.kind == "pdf":
            return _pdf_text(data, max_chars, max_pages, time_budget)
        return _docx_text(data, max_chars)
    except MemoryError:
        return ExtractedText("failed", None, None, "the file needs too much memory to read")
    except Exception as exc:  # a parser bug on a hostile file must not fail the upload
        log.warning("text extraction failed: %s", type(exc).__name__, exc_info=exc)
        return ExtractedText("failed", None, None, f"the text could not be extracted ({type(exc).__name__})")


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL; lone surrogates cannot be encoded; collapse runs of blank lines.
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    text = re.sub(r"[ \t\r\f\v]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _result(text: str, pages: int | None, notes: list[str], max_chars: int) -> ExtractedText:
    text = _clean(text)
    if not text:
        return ExtractedText("empty", None, pages, "; ".join([_NO_TEXT, *notes]))
    if len(text) > max_chars:
        text = text[:max_chars]
        notes.append(f"text truncated to {max_chars} characters")
    return ExtractedText("ok", text, pages, "; ".join(notes) or None)


def _pdf_text(data: bytes | memoryview, max_chars: int, max_pages: int, time_budget: float) -> ExtractedText:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import PdfReadError

    limits = {
        name: PDF_MAX_DECODED_STREAM
        for name in (
            "maximum_declared_stream_length",
            "array_based_stream_maximum_output_length",
            "jbig2_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "zlib_maximum_output_length",
            "brotli_maximum_output_length",
            "image_maximum_buffer_size",
        )
    }
    with apply_configuration(
        **limits,
        stream_decoding_work_maximum_length=4 * PDF_MAX_DECODED_STREAM,
        page_tree_maximum_entries=10_000,
        jbig2dec_binary=None,  # never run an external decoder on untrusted input
    ):
        try:
            reader = PdfReader(MemoryReader(data))
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.info("unreadable PDF: %s", type(exc).__name__)
            return ExtractedText("failed", None, None, _DAMAGED_PDF)
        try:
            return _read_pdf(reader, max_chars, max_pages, time.monotonic() + time_budget)
        finally:
            # The reader's object cache is full of reference cycles: without this, the streams it read (a
            # 10 MB photo) stay alive until the next garbage collection, on top of the blob upload's buffers.
            reader.close()


def _read_pdf(reader: Any, max_chars: int, max_pages: int, deadline: float) -> ExtractedText:
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        if reader.is_encrypted:
            # An empty user password (owner-only restrictions) still opens; a real password does not.
            try:
                opened = reader.decrypt("")
            except (NotImplementedError, FileNotDecryptedError, PdfReadError):
                opened = 0
            if not opened:
                return ExtractedText("failed", None, None, "encrypted: the PDF is password-protected")
        page_count = len(reader.pages)
    except (PdfReadError, FileNotDecryptedError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.info("unreadable PDF: %s", type(exc).__name__)
        return ExtractedText("failed", None, None, _DAMAGED_PDF)
    if page_count == 0:
        return ExtractedText("failed", None, 0, "the PDF has no pages (it may be damaged)")
    notes: list[str] = []
    parts: list[str] = []
    length = 0
    for index in range(min(page_count, max_pages)):
        if time.monotonic() > deadline:
            notes.append(f"text taken from the first {index} of {page_count} pages (time limit)")
            break
        try:
            page_text = reader.pages[index].extract_text() or ""
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            notes.append(f"page {index + 1} could not be read ({type(exc).__name__})")
            continue
        parts.append(page_text)
        length += len(page_text)
        if length > max_chars:
            break
    else:
        if page_count > max_pages:
            notes.append(f"text taken from the first {max_pages} of {page_count} pages")
    return _result("\n\n".join(parts), page_count, notes, max_chars)


def _docx_text(data: bytes | memoryview, max_chars: int) -> ExtractedText:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(MemoryReader(data)) as archive:
            entries = archive.infolist()
            if len(entries) > DOCX_MAX_ENTRIES:
                return ExtractedText(
                    "failed", None, None, "the document has too many parts to be read safely"
                )
            xml_entries = [e for e in entries if e.filename.endswith((".xml", ".rels")) and not e.is_dir()]
            xml_names = {e.filename for e in xml_entries}
            if sum(e.file_size for e in xml_entries) > DOCX_MAX_XML_BYTES:
                return ExtractedText(
                    "failed", None, None, "the document expands to too much data to be read safely"
                )
            # Rebuild the package with every non-XML part (images, fonts, embedded files) emptied: python-docx
            # loads all parts into memory, and they carry no text. zipfile stops at each entry's declared
            # size, so the check above bounds what inflating the XML can produce.
            slim = BytesIO()
            with zipfile.ZipFile(slim, "w", zipfile.ZIP_STORED) as out:
                for entry in entries:
                    if entry.is_dir():
                        continue
                    out.writestr(entry.filename, archive.read(entry) if entry.filename in xml_names else b"")
            pages = _docx_page_count(archive)
        slim.seek(0)
        document = docx.Document(slim)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        ValueError,
        OSError,
        EOFError,
        SyntaxError,
    ) as exc:
        log.info("unreadable DOCX: %s", type(exc).__name__)
        return ExtractedText(
            "failed", None, None, "the DOCX is damaged or not a valid Word document and cannot be read"
        )
    parts: list[str] = []
    length = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat; keep each text once per row
                    if cell.text and cell.text not in cells:
                        cells.append(cell.text)
                parts.append(" | ".join(cells))
        length += len(parts[-1]) if parts else 0
        if length > max_chars:
            break
    return _result("\n".join(parts), pages, [], max_chars)


def _docx_page_count(archive: zipfile.ZipFile) -> int | None:
    """Word records the page count it last laid out in docProps/app.xml; absent for generated files."""
    try:
        info = archive.getinfo("docProps/app.xml")
    except KeyError:
        return None
    if info.file_size > 256 * 1024:
        return None
    match = re.search(rb"<Pages>(\d{1,5})</Pages>", archive.read(info))
    return int(match.group(1)) if match else None
