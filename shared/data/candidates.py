from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from shared.data.pagination import keyset_clause, page_of

if TYPE_CHECKING:  # psycopg2 is imported on first database use, not at cold start
    from psycopg2.extras import RealDictCursor

COLUMNS = ("name", "phone_e164", "email", "job_id", "sms_consent", "consent_at")
_SELECT = """
    c.id, c.name, c.phone_e164, c.email, c.job_id, c.sms_consent, c.consent_at, c.created_at, c.updated_at,
    o.opted_out_at,
    r.file_name AS resume_file_name, r.content_type AS resume_content_type, r.size_bytes AS resume_size_bytes,
    r.pages AS resume_pages, r.text_status AS resume_text_status, r.text_reason AS resume_text_reason,
    r.uploaded_at AS resume_uploaded_at
    FROM candidates c
    LEFT JOIN sms_opt_outs o ON o.phone_e164 = c.phone_e164
    LEFT JOIN resumes r ON r.candidate_id = c.id
"""


def insert(cur: RealDictCursor, fields: dict[str, Any]) -> UUID:
    columns = [c for c in COLUMNS if c in fields]
    cur.execute(
        f"INSERT INTO candidates ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id",
        [_param(fields[c]) for c in columns],
    )
    return cur.fetchone()["id"]


def update(cur: RealDictCursor, candidate_id: UUID, fields: dict[str, Any]) -> bool:
    columns = [c for c in COLUMNS if c in fields]
    assignments = ", ".join([f"{c} = %s" for c in columns] + ["updated_at = now()"])
    cur.execute(
        f"UPDATE candidates SET {assignments} WHERE id = %s",
        [_param(fields[c]) for c in columns] + [str(candidate_id)],
    )
    return cur.rowcount == 1


def _param(value: Any) -> Any:
    return str(value) if isinstance(value, UUID) else value


def get(cur: RealDictCursor, candidate_id: UUID, for_update: bool = False) -> dict | None:
    if for_update:
        cur.execute("SELECT id FROM candidates WHERE id = %s FOR UPDATE", (str(candidate_id),))
        if cur.fetchone() is None:
            return None
    cur.execute(f"SELECT {_SELECT} WHERE c.id = %s", (str(candidate_id),))
    return cur.fetchone()


def job_exists(cur: RealDictCursor, job_id: UUID) -> bool:
    cur.execute("SELECT 1 FROM jobs WHERE id = %s", (str(job_id),))
    return cur.fetchone() is not None


def active_interview_ids(cur: RealDictCursor, candidate_id: UUID) -> list[UUID]:
    cur.execute(
        "SELECT id FROM interviews WHERE candidate_id = %s AND status IN ('scheduled', 'in_progress', 'paused')",
        (str(candidate_id),),
    )
    return [row["id"] for row in cur.fetchall()]


def delete(cur: RealDictCursor, candidate_id: UUID) -> bool:
    cur.execute("DELETE FROM candidates WHERE id = %s", (str(candidate_id),))
    return cur.rowcount == 1


def list_page(
    cur: RealDictCursor, job_id: UUID | None, search: str | None, limit: int, cursor: str | None
) -> tuple[list[dict], str | None]:
    condition, params = keyset_clause(cursor, "c")
    filters, args = [condition], list(params)
    if job_id:
        filters.append("c.job_id = %s")
        args.append(str(job_id))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        digits = "".join(ch for ch in search if ch.isdigit())
        clause = "(c.name ILIKE %s OR c.email ILIKE %s"
        args += [pattern, pattern]
        if len(digits) >= 3:
            clause += " OR c.phone_e164 LIKE %s"
            args.append(f"%{digits}%")
        filters.append(clause + ")")
    args.append(limit + 1)
    cur.execute(
        f"SELECT {_SELECT} WHERE {' AND '.join(filters)} ORDER BY c.created_at DESC, c.id DESC LIMIT %s", args
    )
    return page_of(list(cur.fetchall()), limit)
