"""What an uploaded file really is, decided by its bytes, and the name we keep for it."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Literal

from shared.buffers import MemoryReader

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXTENSIONS = {PDF: "pdf", DOCX: "docx"}
FILE_NAME_LIMIT = 150  # characters, extension included
_CONTENT_TYPES_LIMIT = 256 * 1024  # [Content_Types].xml of a real document is a few KB

Kind = Literal["pdf", "docx"]


class NotAResume(ValueError):
    """The bytes are neither a PDF nor a Word (DOCX) document."""


@dataclass(frozen=True)
class FileType:
    kind: Kind
    content_type: str
    damaged: bool = False  # it is this type but could not be opened (kept, its text marked failed)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def sniff(
    data: bytes | memoryview, declared_type: str | None = None, file_name: str | None = None
) -> FileType:
    """The file's type from its own bytes; raises NotAResume for anything but PDF and DOCX.

    The declared type and name only break a tie: a ZIP that cannot be opened is kept as a damaged DOCX when
    the client said it was one, and refused otherwise.
    """
    view = memoryview(data).cast("B")
    # The PDF header may follow a little junk; readers look in the first kilobyte.
    if b"%PDF-" in view[:1024].tobytes():
        return FileType("pdf", PDF)
    if view[:4].tobytes() == b"PK\x03\x04":
        return _sniff_zip(view, declared_type, file_name)
    raise NotAResume("the file is not a PDF or a Word (.docx) document")


def _sniff_zip(view: memoryview, declared_type: str | None, file_name: str | None) -> FileType:
    said_docx = (declared_type or "").lower() == DOCX or (file_name or "").lower().endswith(".docx")
    try:
        with zipfile.ZipFile(MemoryReader(view)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise NotAResume("the ZIP file is not a Word (.docx) document")
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_LIMIT:
                raise NotAResume("the document's content types are implausibly large")
            content_types = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        if said_docx:
            return FileType("docx", DOCX, damaged=True)
        raise NotAResume("the file is a damaged ZIP archive, not a readable document") from None
    match = re.search(r'PartName="/word/document\.xml"\s+ContentType="([^"]+)"', content_types) or re.search(
        r'ContentType="([^"]+)"\s+PartName="/word/document\.xml"', content_types
    )
    if match is None or match.group(1) != _DOCX_MAIN:
        # .docm (macros), .dotx (templates) and the like are refused: only plain documents are accepted.
        raise NotAResume(
            "only plain Word documents (.docx) are accepted, not templates or macro-enabled files"
        )
    return FileType("docx", DOCX)


_UNSAFE = re.compile(r'[<>:"|?*\\/]')
_SPACES = re.compile(r"\s+")
_DOCUMENT_EXTENSIONS = {"pdf", "docx", "doc", "docm", "dotx", "rtf", "odt", "txt"}


def sanitize_file_name(raw: str | None, file_type: FileType) -> str:
    """A display name safe to store and to echo in headers: no path, no control or format characters,
    bounded length, the extension matching the real type; letters of any script are kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]  # a browser may send a whole path (C:\Users\...\cv.pdf)
    # Cc: control characters; Cf: format characters such as the right-to-left override used to disguise
    # "cv\u202efdp.exe"; Cs/Co/Cn: surrogates, private use and unassigned code points.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip(" .")
    stem, dot, extension = name.rpartition(".")
    # A document extension, right or wrong (a PDF named cv.docx), gives way to the real type's; any other dot
    # ("J. Smith") is part of the name.
    if not (dot and extension.lower() in _DOCUMENT_EXTENSIONS):
        stem = name
    stem = stem.strip(" .") or "resume"
    suffix = "." + file_type.extension
    stem = stem[: FILE_NAME_LIMIT - len(suffix)].rstrip(" .") or "resume"
    return stem + suffix
