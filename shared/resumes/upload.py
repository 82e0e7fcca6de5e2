"""Reading a resume upload from an HTTP request: the raw file as the body, or a multipart/form-data form
with a `file` field. Size is checked from Content-Length before the body is touched, and the file is cut
out of a multipart body as a view, never copied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from shared.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from shared.resumes.files import DOCX, PDF

MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and small extra fields around the file
_MAX_PARTS = 16
_MAX_PART_HEADER = 8 * 1024
ACCEPTED_RAW_TYPES = (PDF, DOCX, "application/octet-stream")


@dataclass(frozen=True)
class ResumeUpload:
    data: bytes | memoryview
    declared_type: str | None
    file_name: str | None

    @property
    def size(self) -> int:
        return len(self.data)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _parameters(header: str) -> dict[str, str]:
    """Parameters of a header such as `form-data; name="file"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`."""
    params: dict[str, str] = {}
    for match in re.finditer(r';\s*([A-Za-z0-9_*.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', header):
        name, value = match.group(1).lower(), match.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            # Only \" is unescaped: browsers send Windows paths (C:\Users\cv.pdf) with bare backslashes.
            value = value[1:-1].replace('\\"', '"')
        params[name] = value
    return params


def file_name_from_disposition(header: str | None) -> str | None:
    """The file name in a Content-Disposition value; `filename*` (RFC 8187) wins over `filename`."""
    if not header:
        return None
    params = _parameters(";" + header.split(";", 1)[1] if ";" in header else "")
    extended = params.get("filename*")
    if extended:
        charset, _, rest = extended.partition("'")
        _language, _, encoded = rest.partition("'")
        try:
            return unquote(encoded, encoding=charset or "utf-8", errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass
    return params.get("filename")


def read_upload(
    headers: Mapping[str, str],
    get_body: Callable[[], bytes],
    max_bytes: int,
    file_name: str | None = None,
) -> ResumeUpload:
    """Validate the request's framing and return the file: 415 for other types, 413 when too large (from
    Content-Length first, before the body is read), 400 when empty or malformed."""
    lowered = {key.lower(): value for key, value in headers.items()}
    content_type = lowered.get("content-type")
    media_type = _media_type(content_type)
    multipart = media_type == "multipart/form-data"
    if not multipart and media_type not in ACCEPTED_RAW_TYPES:
        raise UnsupportedMediaType(
            "send the resume as the body (Content-Type application/pdf or the DOCX type) "
            "or as multipart/form-data with a 'file' field"
        )
    limit = max_bytes + (MULTIPART_OVERHEAD if multipart else 0)
    declared = (lowered.get("content-length") or "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"a resume can be at most {max_bytes} bytes", max_bytes=max_bytes)
    body = get_body() or b""
    if len(body) > limit:
        raise PayloadTooLarge(f"a resume can be at most {max_bytes} bytes", max_bytes=max_bytes)
    if multipart:
        upload = _file_from_multipart(body, content_type or "")
        file_name = upload.file_name or file_name
        upload = ResumeUpload(upload.data, upload.declared_type, file_name)
    else:
        name = file_name_from_disposition(lowered.get("content-disposition")) or file_name
        upload = ResumeUpload(body, media_type, name)
    if upload.size == 0:
        raise BadRequest("the resume file is empty")
    if upload.size > max_bytes:
        raise PayloadTooLarge(f"a resume can be at most {max_bytes} bytes", max_bytes=max_bytes)
    return upload


def _file_from_multipart(body: bytes, content_type: str) -> ResumeUpload:
    boundary = _parameters(";" + content_type.split(";", 1)[1] if ";" in content_type else "").get("boundary")
    if not boundary or len(boundary) > 70:
        raise BadRequest("the multipart body has no valid boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    view = memoryview(body)
    position = body.find(delimiter)
    if position < 0:
        raise BadRequest("the multipart body does not contain its boundary")
    for _ in range(_MAX_PARTS):
        position += len(delimiter)
        if body[position : position + 2] == b"--":
            break  # the closing delimiter
        headers_end = body.find(b"\r\n\r\n", position, position + _MAX_PART_HEADER)
        if headers_end < 0:
            raise BadRequest("a multipart part has no header end (or headers over 8 KB)")
        part_headers = _part_headers(body[position:headers_end])
        content_start = headers_end + 4
        next_delimiter = body.find(b"\r\n" + delimiter, content_start)
        if next_delimiter < 0:
            raise BadRequest("the multipart body is truncated")
        disposition = part_headers.get("content-disposition", "")
        if (
            _parameters(";" + disposition.split(";", 1)[1] if ";" in disposition else "").get("name")
            == "file"
        ):
            return ResumeUpload(
                view[content_start:next_delimiter],
                _media_type(part_headers.get("content-type")) or None,
                file_name_from_disposition(disposition),
            )
        position = next_delimiter + 2
    raise BadRequest("the multipart body has no 'file' field")


def _part_headers(raw: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    # Browsers send non-ASCII file names as raw UTF-8 inside the quoted filename.
    for line in raw.decode("utf-8", "replace").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers
