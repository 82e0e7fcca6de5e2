"""SQL for erasing a candidate and for the storage work it leaves (table erasure_pending)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:  # psycopg2 is imported on first database use, not at cold start
    from psycopg2.extras import RealDictCursor


ACTIVE_STATUSES = ("scheduled", "in_progress", "paused")
# Retries back off from one minute, doubling, to at most an hour.
_BACKOFF_SQL = "now() + least(interval '1 minute' * power(2, least(attempts, 10)), interval '1 hour')"


def lock_candidate(cur: RealDictCursor, candidate_id: UUID) -> dict | None:
    cur.execute("SELECT id, phone_e164 FROM candidates WHERE id = %s FOR UPDATE", (str(candidate_id),))
    return cur.fetchone()


def interviews_of(cur: RealDictCursor, candidate_id: UUID) -> list[dict]:
    """Every interview of the candidate, locked, with whether it is still active."""
    cur.execute(
        "SELECT id, status, status = ANY(%s) AS active FROM interviews WHERE candidate_id = %s "
        "ORDER BY created_at FOR UPDATE",
        (list(ACTIVE_STATUSES), str(candidate_id)),
    )
    return list(cur.fetchall())


def cancel_interviews(cur: RealDictCursor, interview_ids: list[UUID], reason: str) -> None:
    cur.execute(
        "UPDATE interviews SET status = 'cancelled', end_reason = %s, ended_at = now(), "
        "awaiting_answer = false, updated_at = now() WHERE id = ANY(%s::uuid[]) AND status = ANY(%s)",
        (reason, [str(i) for i in interview_ids], list(ACTIVE_STATUSES)),
    )


def phone_shared_with_others(cur: RealDictCursor, candidate_id: UUID, phone: str) -> bool:
    cur.execute(
        "SELECT 1 FROM candidates WHERE phone_e164 = %s AND id <> %s LIMIT 1", (phone, str(candidate_id))
    )
    return cur.fetchone() is not None


def delete_messages_outside_interviews(cur: RealDictCursor, phone: str) -> int:
    """Inbound texts from the number that belong to no interview (those of interviews cascade)."""
    cur.execute("DELETE FROM inbound_messages WHERE from_phone = %s AND interview_id IS NULL", (phone,))
    return cur.rowcount


def delete_candidate(cur: RealDictCursor, candidate_id: UUID) -> bool:
    """Interviews, answers, scores, inbound messages of interviews and the resume row cascade."""
    cur.execute("DELETE FROM candidates WHERE id = %s", (str(candidate_id),))
    return cur.rowcount == 1


def add_pending(cur: RealDictCursor, candidate_id: UUID, kind: str, target: str) -> int:
    cur.execute(
        "INSERT INTO erasure_pending (candidate_id, kind, target) VALUES (%s, %s, %s) "
        "ON CONFLICT (kind, target) DO UPDATE SET next_attempt_at = now() RETURNING id",
        (str(candidate_id), kind, target),
    )
    return cur.fetchone()["id"]


def forget_pending(cur: RealDictCursor, kind: str, target: str) -> None:
    cur.execute("DELETE FROM erasure_pending WHERE kind = %s AND target = %s", (kind, target))


def claim(cur: RealDictCursor, kinds: list[str], limit: int, ids: list[int] | None = None) -> list[dict]:
    """Take due rows (or exactly `ids`) for this worker: pushing next_attempt_at forward keeps a concurrent
    worker off them while the storage calls run, without holding a transaction open."""
    where = "kind = ANY(%s)"
    params: list = [kinds]
    if ids is not None:
        where += " AND id = ANY(%s)"
        params.append(ids)
    else:
        where += " AND next_attempt_at <= now()"
    cur.execute(
        f"""UPDATE erasure_pending SET attempts = attempts + 1, next_attempt_at = now() + interval '5 minutes'
            WHERE id IN (SELECT id FROM erasure_pending WHERE {where}
                         ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING id, candidate_id, kind, target, attempts""",
        [*params, limit],
    )
    return sorted(cur.fetchall(), key=lambda row: row["id"])


def done(cur: RealDictCursor, pending_id: int) -> None:
    cur.execute("DELETE FROM erasure_pending WHERE id = %s", (pending_id,))


def failed(cur: RealDictCursor, pending_id: int, error: str) -> None:
    cur.execute(
        f"UPDATE erasure_pending SET last_error = %s, next_attempt_at = {_BACKOFF_SQL} WHERE id = %s",
        (error[:500], pending_id),
    )


def count_for(cur: RealDictCursor, candidate_id: UUID) -> int:
    cur.execute("SELECT count(*) AS n FROM erasure_pending WHERE candidate_id = %s", (str(candidate_id),))
    return cur.fetchone()["n"]
