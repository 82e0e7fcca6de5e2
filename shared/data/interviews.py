"""SQL for interviews, their answers and the SMS they exchange."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg2.extras import Json, RealDictCursor

from shared.data.pagination import keyset_clause, page_of

ACTIVE_STATUSES = ("scheduled", "in_progress", "paused")
TERMINAL_STATUSES = ("completed", "expired", "cancelled", "opted_out", "failed")

_COLUMNS = """
    i.id, i.candidate_id, i.job_id, i.phone_e164, i.status, i.question_count, i.current_question, i.attempt,
    i.awaiting_answer, i.struggle_count, i.struggled, i.reschedule_count, i.reminders_sent, i.knocked_out,
    i.flags, i.end_reason, i.scheduled_at, i.resume_at, i.started_at, i.completed_at, i.ended_at,
    i.score_status, i.score_error, i.score_requests, i.control_seq, i.timezone, i.greeted,
    i.created_at, i.updated_at
"""


def insert(cur: RealDictCursor, candidate_id: UUID, job_id: UUID, phone: str, question_count: int,
           scheduled_at: Any, timezone: str) -> dict:  # fmt: skip
    cur.execute(
        f"""INSERT INTO interviews AS i (candidate_id, job_id, phone_e164, question_count, scheduled_at, timezone)
            VALUES (%s, %s, %s, %s, coalesce(%s, now()), %s) RETURNING {_COLUMNS}""",
        (str(candidate_id), str(job_id), phone, question_count, scheduled_at, timezone),
    )
    return cur.fetchone()


def get(cur: RealDictCursor, interview_id: UUID | str, for_update: bool = False) -> dict | None:
    cur.execute(
        f"SELECT {_COLUMNS} FROM interviews i WHERE i.id = %s" + (" FOR UPDATE" if for_update else ""),
        (str(interview_id),),
    )
    return cur.fetchone()


def active_for_phone(cur: RealDictCursor, phone: str, for_update: bool = True) -> dict | None:
    cur.execute(
        f"SELECT {_COLUMNS} FROM interviews i WHERE i.phone_e164 = %s AND i.status = ANY(%s)"
        + (" FOR UPDATE" if for_update else ""),
        (phone, list(ACTIVE_STATUSES)),
    )
    return cur.fetchone()


def recently_finished_for_phone(cur: RealDictCursor, phone: str, minutes: int) -> dict | None:
    """The phone's interview that completed in the last `minutes`: a late second text still belongs to it."""
    cur.execute(
        f"SELECT {_COLUMNS} FROM interviews i WHERE i.phone_e164 = %s AND i.status = 'completed' "
        "AND i.ended_at > now() - make_interval(mins => %s) ORDER BY i.ended_at DESC LIMIT 1",
        (phone, minutes),
    )
    return cur.fetchone()


def update(cur: RealDictCursor, interview_id: UUID | str, **fields: Any) -> dict | None:
    assignments = ", ".join([f"{name} = %s" for name in fields] + ["updated_at = now()"])
    cur.execute(
        f"UPDATE interviews i SET {assignments} WHERE i.id = %s RETURNING {_COLUMNS}",
        [*fields.values(), str(interview_id)],
    )
    return cur.fetchone()


def next_control_seq(cur: RealDictCursor, interview_id: UUID | str) -> int:
    cur.execute(
        "UPDATE interviews SET control_seq = control_seq + 1, updated_at = now() WHERE id = %s RETURNING control_seq",
        (str(interview_id),),
    )
    return cur.fetchone()["control_seq"]


def list_page(cur: RealDictCursor, status: str | None, job_id: UUID | None, candidate_id: UUID | None,
              limit: int, cursor: str | None) -> tuple[list[dict], str | None]:  # fmt: skip
    condition, params = keyset_clause(cursor, "i")
    filters, args = [condition], list(params)
    for column, value in (("status", status), ("job_id", job_id), ("candidate_id", candidate_id)):
        if value is not None:
            filters.append(f"i.{column} = %s")
            args.append(str(value))
    args.append(limit + 1)
    cur.execute(
        f"SELECT {_COLUMNS}, (SELECT count(*) FROM answers a WHERE a.interview_id = i.id) AS answered "
        f"FROM interviews i WHERE {' AND '.join(filters)} ORDER BY i.created_at DESC, i.id DESC LIMIT %s",
        args,
    )
    return page_of(list(cur.fetchall()), limit)


# --- answers ---------------------------------------------------------------------------------------------


def answers_of(cur: RealDictCursor, interview_id: UUID | str) -> list[dict]:
    cur.execute(
        "SELECT question_position, question_text, text, struggling, received_at, attempt, message_sids "
        "FROM answers WHERE interview_id = %s ORDER BY question_position",
        (str(interview_id),),
    )
    return list(cur.fetchall())


def record_answer(cur: RealDictCursor, interview: dict, question: dict, text: str, message_sid: str,
                  struggling: bool, received_at: Any) -> None:  # fmt: skip
    """The first message answering a question attempt; a re-asked question (after a pause) replaces it."""
    cur.execute(
        """INSERT INTO answers (interview_id, question_id, question_position, question_text, text, message_sids,
                                struggling, received_at, attempt)
           VALUES (%s, %s, %s, %s, %s, ARRAY[%s], %s, %s, %s)
           ON CONFLICT (interview_id, question_position) DO UPDATE
           SET text = EXCLUDED.text, message_sids = EXCLUDED.message_sids, struggling = EXCLUDED.struggling,
               received_at = EXCLUDED.received_at, attempt = EXCLUDED.attempt, question_text = EXCLUDED.question_text,
               updated_at = now()""",
        (str(interview["id"]), str(question["id"]), question["position"], question["text"], text, message_sid,
         struggling, received_at, interview["attempt"]),
    )  # fmt: skip


def append_to_answer(
    cur: RealDictCursor, interview_id: UUID | str, position: int, text: str, sid: str
) -> bool:
    """A candidate who splits an answer over several texts: join the later ones to it."""
    cur.execute(
        """UPDATE answers SET text = text || E'\\n' || %s, message_sids = array_append(message_sids, %s),
                              updated_at = now()
           WHERE interview_id = %s AND question_position = %s AND NOT (%s = ANY(message_sids))""",
        (text, sid, str(interview_id), position, sid),
    )
    return cur.rowcount == 1


def answer_just_before_question(
    cur: RealDictCursor, interview_id: UUID | str, position: int, attempt: int, sent_within: float,
    answered_before_send: float,
) -> int | None:  # fmt: skip
    """The position of the answer given just before question `position` (attempt `attempt`) was sent, when that
    question went out less than `sent_within` seconds ago and the answer came at most `answered_before_send`
    seconds before it. Times are the database's, as both were recorded."""
    cur.execute(
        """SELECT a.question_position FROM answers a
           JOIN outbound_messages o ON o.dedupe_key = %s
           WHERE a.interview_id = %s AND a.question_position < %s
             AND o.sent_at > now() - make_interval(secs => %s)
             AND a.received_at >= o.sent_at - make_interval(secs => %s)
           ORDER BY a.question_position DESC LIMIT 1""",
        (f"{interview_id}:question:{position}:{attempt}", str(interview_id), position, sent_within,
         answered_before_send),
    )  # fmt: skip
    row = cur.fetchone()
    return row["question_position"] if row else None


def answer_for_attempt(
    cur: RealDictCursor, interview_id: UUID | str, position: int, attempt: int
) -> dict | None:
    cur.execute(
        "SELECT text, struggling, message_sids FROM answers "
        "WHERE interview_id = %s AND question_position = %s AND attempt = %s",
        (str(interview_id), position, attempt),
    )
    return cur.fetchone()


# --- SMS bookkeeping -------------------------------------------------------------------------------------


def claim_inbound(cur: RealDictCursor, sid: str, phone: str, body: str) -> bool:
    """Store an inbound SMS once; False when this MessageSid was seen before (a Twilio retry)."""
    cur.execute(
        "INSERT INTO inbound_messages (message_sid, from_phone, body, handled_as) VALUES (%s, %s, %s, 'received') "
        "ON CONFLICT (message_sid) DO NOTHING",
        (sid, phone, body),
    )
    return cur.rowcount == 1


def inbound_message(cur: RealDictCursor, sid: str) -> dict | None:
    cur.execute(
        "SELECT handled_as, interview_id, question_position, attempt FROM inbound_messages WHERE message_sid = %s",
        (sid,),
    )
    return cur.fetchone()


def mark_inbound(cur: RealDictCursor, sid: str, handled_as: str, interview_id: Any = None,
                 position: int | None = None, attempt: int | None = None) -> None:  # fmt: skip
    cur.execute(
        "UPDATE inbound_messages SET handled_as = %s, interview_id = %s, question_position = %s, attempt = %s "
        "WHERE message_sid = %s",
        (handled_as, str(interview_id) if interview_id else None, position, attempt, sid),
    )


def inbound_received_between(cur: RealDictCursor, since: Any, until: Any) -> list[dict]:
    """Inbound messages received between `since` and `until` ago (intervals), oldest first, with the interview's
    candidate and whether an automatic reply to them was sent."""
    cur.execute(
        """SELECT m.message_sid, m.from_phone, m.body, m.handled_as, m.interview_id, i.candidate_id,
                  m.question_position, m.received_at,
                  EXISTS (SELECT 1 FROM outbound_messages o WHERE o.dedupe_key = 'reply:' || m.message_sid) AS replied
           FROM inbound_messages m LEFT JOIN interviews i ON i.id = m.interview_id
           WHERE m.received_at >= now() - %s AND m.received_at < now() - %s
           ORDER BY m.received_at""",
        (since, until),
    )
    return list(cur.fetchall())


def sent_message(cur: RealDictCursor, dedupe_key: str) -> dict | None:
    cur.execute("SELECT sid, kind, sent_at FROM outbound_messages WHERE dedupe_key = %s", (dedupe_key,))
    return cur.fetchone()


def claim_send(cur: RealDictCursor, dedupe_key: str, interview_id: Any, kind: str) -> None:
    """Note, before the send, that the message keyed `dedupe_key` is being sent (its SID is not known yet)."""
    cur.execute(
        "INSERT INTO outbound_messages (dedupe_key, interview_id, sid, kind) VALUES (%s, %s, NULL, %s) "
        "ON CONFLICT (dedupe_key) DO NOTHING",
        (dedupe_key, str(interview_id) if interview_id else None, kind),
    )


def record_sent(cur: RealDictCursor, dedupe_key: str, interview_id: Any, sid: str | None, kind: str) -> None:
    """The SID Twilio gave the message keyed `dedupe_key` (completing its claim, if it was claimed)."""
    cur.execute(
        "INSERT INTO outbound_messages (dedupe_key, interview_id, sid, kind) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (dedupe_key) DO UPDATE SET sid = EXCLUDED.sid WHERE outbound_messages.sid IS NULL",
        (dedupe_key, str(interview_id) if interview_id else None, sid, kind),
    )


def interview_for_sid(cur: RealDictCursor, sid: str) -> dict | None:
    cur.execute("SELECT interview_id, kind FROM outbound_messages WHERE sid = %s", (sid,))
    return cur.fetchone()


# --- opt-outs --------------------------------------------------------------------------------------------


def is_opted_out(cur: RealDictCursor, phone: str) -> bool:
    cur.execute("SELECT 1 FROM sms_opt_outs WHERE phone_e164 = %s", (phone,))
    return cur.fetchone() is not None


def opt_out(cur: RealDictCursor, phone: str, keyword: str) -> None:
    cur.execute(
        "INSERT INTO sms_opt_outs (phone_e164, keyword) VALUES (%s, %s) ON CONFLICT (phone_e164) DO NOTHING",
        (phone, keyword),
    )


def opt_in(cur: RealDictCursor, phone: str) -> bool:
    cur.execute("DELETE FROM sms_opt_outs WHERE phone_e164 = %s", (phone,))
    return cur.rowcount == 1


# --- scores ----------------------------------------------------------------------------------------------


def latest_score(cur: RealDictCursor, interview_id: UUID | str) -> dict | None:
    cur.execute(
        "SELECT request_number, scorer, scorer_version, prompt_version, model, job_fit_score, recommendation, "
        "details, created_at FROM scores WHERE interview_id = %s ORDER BY created_at DESC, id DESC LIMIT 1",
        (str(interview_id),),
    )
    return cur.fetchone()


def json_param(value: Any) -> Json:
    return Json(value)
