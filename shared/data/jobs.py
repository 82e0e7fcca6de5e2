from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from shared.data.pagination import keyset_clause, page_of

if TYPE_CHECKING:  # psycopg2 is imported on first database use, not at cold start
    from psycopg2.extras import RealDictCursor

SETTINGS_COLUMNS = (
    "greeting_enabled",
    "answer_timeout_minutes",
    "reminder_count",
    "reminder_interval_minutes",
    "struggle_threshold",
    "struggle_policy",
    "reschedule_delay_minutes",
    "max_reschedules",
    "quiet_hours_start",
    "quiet_hours_end",
    "timezone",
)
JOB_COLUMNS = ("title", "description", "requirements", "status", *SETTINGS_COLUMNS)
_SELECT = "id, " + ", ".join(JOB_COLUMNS) + ", created_at, updated_at"
ACTIVE_STATUSES = ("scheduled", "in_progress", "paused")


def insert(cur: RealDictCursor, fields: dict[str, Any]) -> dict:
    columns = [c for c in JOB_COLUMNS if c in fields]
    cur.execute(
        f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) RETURNING {_SELECT}",
        [fields[c] for c in columns],
    )
    return cur.fetchone()


def update(cur: RealDictCursor, job_id: UUID, fields: dict[str, Any]) -> dict | None:
    columns = [c for c in JOB_COLUMNS if c in fields]
    assignments = ", ".join([f"{c} = %s" for c in columns] + ["updated_at = now()"])
    cur.execute(
        f"UPDATE jobs SET {assignments} WHERE id = %s RETURNING {_SELECT}",
        [fields[c] for c in columns] + [str(job_id)],
    )
    return cur.fetchone()


def get(cur: RealDictCursor, job_id: UUID, for_update: bool = False) -> dict | None:
    cur.execute(
        f"SELECT {_SELECT} FROM jobs WHERE id = %s" + (" FOR UPDATE" if for_update else ""), (str(job_id),)
    )
    return cur.fetchone()


def questions_of(cur: RealDictCursor, job_id: UUID) -> list[dict]:
    cur.execute(
        "SELECT id, position, text, ideal_answer, knockout, expected_answer FROM questions "
        "WHERE job_id = %s ORDER BY position",
        (str(job_id),),
    )
    return list(cur.fetchall())


def replace_questions(cur: RealDictCursor, job_id: UUID, questions: list[dict[str, Any]]) -> None:
    """Make the job's questions exactly `questions`, in order; items with an `id` keep that question."""
    kept = [str(q["id"]) for q in questions if q.get("id")]
    cur.execute(
        "DELETE FROM questions WHERE job_id = %s AND NOT (id = ANY(%s::uuid[]))",
        (str(job_id), kept),
    )
    for position, question in enumerate(questions, start=1):
        values = (
            position,
            question["text"],
            question.get("ideal_answer"),
            question.get("knockout", False),
            question.get("expected_answer"),
        )
        if question.get("id"):
            cur.execute(
                "UPDATE questions SET position = %s, text = %s, ideal_answer = %s, knockout = %s, "
                "expected_answer = %s WHERE id = %s AND job_id = %s",
                (*values, str(question["id"]), str(job_id)),
            )
        else:
            cur.execute(
                "INSERT INTO questions (position, text, ideal_answer, knockout, expected_answer, job_id) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (*values, str(job_id)),
            )


def existing_question_ids(cur: RealDictCursor, job_id: UUID) -> set[str]:
    cur.execute("SELECT id FROM questions WHERE job_id = %s", (str(job_id),))
    return {str(row["id"]) for row in cur.fetchall()}


def count_interviews(cur: RealDictCursor, job_id: UUID, active_only: bool = False) -> int:
    query = "SELECT count(*) AS n FROM interviews WHERE job_id = %s"
    params: list[Any] = [str(job_id)]
    if active_only:
        query += " AND status = ANY(%s)"
        params.append(list(ACTIVE_STATUSES))
    cur.execute(query, params)
    return cur.fetchone()["n"]


def delete(cur: RealDictCursor, job_id: UUID) -> bool:
    cur.execute("DELETE FROM jobs WHERE id = %s", (str(job_id),))
    return cur.rowcount == 1


def list_page(
    cur: RealDictCursor, status: str | None, limit: int, cursor: str | None
) -> tuple[list[dict], str | None]:
    condition, params = keyset_clause(cursor, "j")
    filters = [condition]
    args: list[Any] = list(params)
    if status:
        filters.append("j.status = %s")
        args.append(status)
    args.append(limit + 1)
    cur.execute(
        "SELECT j.id, j.title, j.status, j.created_at, j.updated_at, "
        "(SELECT count(*) FROM questions q WHERE q.job_id = j.id) AS question_count "
        f"FROM jobs j WHERE {' AND '.join(filters)} ORDER BY j.created_at DESC, j.id DESC LIMIT %s",
        args,
    )
    return page_of(list(cur.fetchall()), limit)
