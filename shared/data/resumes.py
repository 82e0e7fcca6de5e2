from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:  # psycopg2 is imported on first database use, not at cold start
    from psycopg2.extras import RealDictCursor


COLUMNS = (
    "blob_name",
    "file_name",
    "content_type",
    "size_bytes",
    "sha256",
    "pages",
    "text_status",
    "text_reason",
    "text_content",
)


def get(cur: RealDictCursor, candidate_id: UUID) -> dict | None:
    """The resume row without its text (the text is only for the scorer)."""
    cur.execute(
        "SELECT candidate_id, blob_name, file_name, content_type, size_bytes, sha256, pages, text_status, "
        "text_reason, uploaded_at FROM resumes WHERE candidate_id = %s",
        (str(candidate_id),),
    )
    return cur.fetchone()


def upsert(cur: RealDictCursor, candidate_id: UUID, fields: dict[str, Any]) -> dict | None:
    """Insert or replace the candidate's resume; returns the row it replaced (None when it is the first)."""
    cur.execute(
        "SELECT blob_name FROM resumes WHERE candidate_id = %s FOR UPDATE",
        (str(candidate_id),),
    )
    previous = cur.fetchone()
    cur.execute(
        f"INSERT INTO resumes (candidate_id, {', '.join(COLUMNS)}, uploaded_at) "
        f"VALUES (%s, {', '.join(['%s'] * len(COLUMNS))}, now()) "
        f"ON CONFLICT (candidate_id) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)
        + ", uploaded_at = now()",
        [str(candidate_id)] + [fields[c] for c in COLUMNS],
    )
    return previous


def delete(cur: RealDictCursor, candidate_id: UUID) -> str | None:
    """Delete the resume row; returns its blob name, or None when there was none."""
    cur.execute("DELETE FROM resumes WHERE candidate_id = %s RETURNING blob_name", (str(candidate_id),))
    row = cur.fetchone()
    return row["blob_name"] if row else None


def text_for_scoring(cur: RealDictCursor, candidate_id: UUID) -> dict | None:
    cur.execute(
        "SELECT text_status, text_reason, text_content, file_name FROM resumes WHERE candidate_id = %s",
        (str(candidate_id),),
    )
    return cur.fetchone()


def blob_in_use(cur: RealDictCursor, blob_name: str) -> bool:
    cur.execute("SELECT 1 FROM resumes WHERE blob_name = %s", (blob_name,))
    return cur.fetchone() is not None
