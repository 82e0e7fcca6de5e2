"""The webhook's decisions against a real database: answers, joins, keywords, idempotency."""

from __future__ import annotations

import itertools

import psycopg2
import pytest

from shared.errors import BadRequest
from shared.services.sms_inbound import handle_inbound
from tests.support.factories import insert_interview, make_candidate, make_job

_sids = itertools.count(1)


def inbound(body: str, phone: str = "+14155550100", sid: str | None = None) -> dict[str, str]:
    return {"MessageSid": sid or f"SM{next(_sids):032d}", "From": phone, "To": "+15005550006", "Body": body}


def rows(database_url: str, query: str, *params) -> list[tuple]:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


@pytest.fixture
def interview(clean_db):
    job = make_job(
        [
            {"text": "Years of Python?"},
            {"text": "Authorised to work in the US?", "knockout": True, "expected_answer": "yes"},
        ]
    )
    candidate = make_candidate(job_id=job.id)
    interview_id = insert_interview(
        clean_db, candidate, job, current_question=1, attempt=1, awaiting_answer=True
    )
    return interview_id


def test_an_answer_is_recorded_once_and_raises_the_attempts_event(clean_db, interview):
    message = inbound("About six years, mostly Django")
    result = handle_inbound(message)
    assert result.handled_as == "answer"
    assert result.signal.name == "answer_1_1"
    assert result.signal.instance_id == interview
    assert result.signal.payload == {"struggling": False, "knockout_failed": False}
    assert "Django" not in str(result.signal.payload)  # no candidate words in the orchestration history
    retry = handle_inbound(message)
    assert retry.duplicate and retry.signal == result.signal  # the orchestration may not have had it
    assert rows(clean_db, "SELECT question_position, text FROM answers") == [
        (1, "About six years, mostly Django")
    ]


def test_a_redelivered_answer_raises_its_event_again_until_the_orchestration_moves_on(clean_db, interview):
    """Twilio redelivers when the first delivery got no response, e.g. the process died after storing the
    answer and before raising the event: the retry must raise it, or the interview would wait for nothing."""
    message = inbound("Yes, I am")
    first = handle_inbound(message)
    retry = handle_inbound(message)
    assert retry.duplicate and retry.handled_as == "received"
    assert retry.signal == first.signal
    assert rows(clean_db, "SELECT count(*) FROM answers") == [(1,)]
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:  # the next question is out
        cur.execute("UPDATE interviews SET current_question = 2, awaiting_answer = true")
    assert handle_inbound(message).signal is None


def test_a_redelivered_stop_terminates_again(clean_db, interview):
    message = inbound("STOP")
    assert handle_inbound(message).terminate == interview
    retry = handle_inbound(message)
    assert retry.duplicate and retry.terminate == interview
    assert rows(clean_db, "SELECT count(*) FROM sms_opt_outs") == [(1,)]


def test_a_second_text_joins_the_answer_and_does_not_shift_later_answers(clean_db, interview):
    handle_inbound(inbound("Six years"))
    joined = handle_inbound(inbound("plus two in Go"))
    assert joined.handled_as == "joined_answer" and joined.signal is None
    assert rows(clean_db, "SELECT text FROM answers WHERE question_position = 1") == [
        ("Six years\nplus two in Go",)
    ]
    assert rows(clean_db, "SELECT count(*) FROM answers") == [(1,)]


def test_struggling_answer_is_flagged(clean_db, interview):
    result = handle_inbound(inbound("idk"))
    assert result.signal.payload["struggling"] is True
    assert rows(clean_db, "SELECT struggling FROM answers") == [(True,)]
    assert rows(clean_db, "SELECT struggle_count FROM interviews") == [(1,)]


def test_knockout_failure_is_condensed_into_the_verdict(clean_db, interview):
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:
        cur.execute("UPDATE interviews SET current_question = 2, attempt = 1, awaiting_answer = true")
    result = handle_inbound(inbound("No, sadly not"))
    assert result.signal.name == "answer_2_1"
    assert result.signal.payload["knockout_failed"] is True


def test_stop_opts_out_ends_the_interview_and_asks_to_terminate(clean_db, interview):
    result = handle_inbound(inbound("STOP"))
    assert result.handled_as == "opt_out" and result.terminate == interview and result.reply is None
    assert rows(clean_db, "SELECT status FROM interviews") == [("opted_out",)]
    assert rows(clean_db, "SELECT phone_e164 FROM sms_opt_outs") == [("+14155550100",)]
    later = handle_inbound(inbound("hello?"))
    assert later.handled_as == "from_opted_out" and later.reply is None
    start = handle_inbound(inbound("START"))
    assert start.handled_as == "opt_in"
    assert rows(clean_db, "SELECT count(*) FROM sms_opt_outs") == [(0,)]


def test_help_gets_a_reply_and_unknown_sender_gets_a_polite_one(clean_db, interview):
    assert handle_inbound(inbound("HELP")).reply
    stranger = handle_inbound(inbound("Hi, is this the job thing?", phone="+14155550999"))
    assert stranger.handled_as == "no_interview" and stranger.reply
    assert rows(clean_db, "SELECT count(*) FROM inbound_messages") == [(2,)]


def test_ready_while_paused_signals_the_next_control_event(clean_db, interview):
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:
        cur.execute("UPDATE interviews SET status = 'paused', awaiting_answer = false, control_seq = 2")
    result = handle_inbound(inbound("ready"))
    assert result.handled_as == "ready"
    assert result.signal.name == "control_3" and result.signal.payload == {"action": "resume_now"}


def test_missing_fields_are_a_bad_request(clean_db):
    with pytest.raises(BadRequest):
        handle_inbound({"Body": "hi"})


def test_sql_shaped_answers_are_stored_verbatim(clean_db, interview):
    text = "'; DELETE FROM answers; --"
    handle_inbound(inbound(text))
    assert rows(clean_db, "SELECT text FROM answers") == [(text,)]


def test_a_late_second_text_after_completion_joins_the_last_answer(clean_db, interview):
    handle_inbound(inbound("Six years"))
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:
        cur.execute("UPDATE interviews SET status = 'completed', ended_at = now()")
    late = handle_inbound(inbound("and two in Go"))
    assert late.handled_as == "joined_answer" and late.reply is None
    assert rows(clean_db, "SELECT text FROM answers") == [("Six years\nand two in Go",)]


def test_an_answer_marks_its_message_and_stops_awaiting(clean_db, interview):
    result = handle_inbound(inbound("Six years"))
    assert rows(
        clean_db,
        "SELECT handled_as, interview_id::text, question_position, attempt FROM inbound_messages "
        "WHERE message_sid = %s",
        result.sid,
    ) == [("answer", interview, 1, 1)]
    assert rows(clean_db, "SELECT awaiting_answer, struggle_count FROM interviews") == [(False, 0)]


def _ask_question_2(database_url: str, interview_id: str, sent_seconds_ago: float) -> None:
    """What the orchestration does after answer 1: question 2 recorded as current and sent."""
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("UPDATE interviews SET current_question = 2, awaiting_answer = true")
        cur.execute(
            "INSERT INTO outbound_messages (dedupe_key, interview_id, sid, kind, sent_at) "
            "VALUES (%s, %s, 'SMq2', 'question', now() - make_interval(secs => %s)) "
            "ON CONFLICT (dedupe_key) DO UPDATE SET sent_at = EXCLUDED.sent_at",
            (f"{interview_id}:question:2:1", interview_id, sent_seconds_ago),
        )


def test_a_text_right_after_the_next_question_went_out_continues_the_answer_before_it(clean_db, interview):
    handle_inbound(inbound("Six years"))
    _ask_question_2(clean_db, interview, sent_seconds_ago=1)
    second_half = handle_inbound(inbound("mostly Django"))
    assert second_half.handled_as == "joined_answer" and second_half.question_position == 1
    assert second_half.signal is None
    _ask_question_2(clean_db, interview, sent_seconds_ago=20)  # the candidate has read question 2 by now
    answer = handle_inbound(inbound("Yes"))
    assert answer.handled_as == "answer" and answer.signal.name == "answer_2_1"
    assert rows(clean_db, "SELECT question_position, text FROM answers ORDER BY 1") == [
        (1, "Six years\nmostly Django"),
        (2, "Yes"),
    ]


def test_a_quick_text_after_a_question_held_back_for_hours_answers_that_question(clean_db, interview):
    handle_inbound(inbound("Six years"))
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:  # answered last night, asked this morning
        cur.execute("UPDATE answers SET received_at = now() - interval '10 hours'")
    _ask_question_2(clean_db, interview, sent_seconds_ago=1)
    answer = handle_inbound(inbound("Yes"))
    assert answer.handled_as == "answer" and answer.question_position == 2
