"""The conversation log repaired from PostgreSQL after a storage outage: inbound messages rebuilt from the
database, outbound ones fetched from Twilio by SID, nothing doubled however often it runs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest

from shared.adapters.conversation_log import conversation_log
from shared.adapters.sms import FetchedSms
from shared.services.conversation_repair import repair_conversation_log
from tests.support.factories import insert_interview, make_candidate, make_job

pytestmark = pytest.mark.usefixtures("azurite")


class TwilioArchive:
    def __init__(self, messages: dict[str, FetchedSms]) -> None:
        self.messages = messages
        self.fetched: list[str] = []

    def fetch(self, sid: str) -> FetchedSms | None:
        self.fetched.append(sid)
        return self.messages.get(sid)


def test_messages_handled_while_storage_was_down_are_replayed_once(clean_db):
    job = make_job([{"text": "Years of Python?"}])
    candidate = make_candidate(phone="+14155550191", job_id=job.id)
    interview = insert_interview(clean_db, candidate, job, current_question=1, attempt=1)
    start = datetime.now(UTC) - timedelta(minutes=5)
    question_sid, answer_sid, forgotten_sid = ("SM" + uuid.uuid4().hex for _ in range(3))
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO outbound_messages (dedupe_key, interview_id, sid, kind, sent_at) VALUES (%s, %s, %s, %s, %s),"
            " (%s, %s, %s, %s, %s)",
            (f"{interview}:question:1:1", interview, question_sid, "question", start,
             f"{interview}:completed", interview, forgotten_sid, "completed", start + timedelta(seconds=2)),
        )  # fmt: skip
        cur.execute(
            "INSERT INTO inbound_messages (message_sid, from_phone, body, received_at, interview_id, "
            "question_position, attempt, handled_as) VALUES (%s, %s, %s, %s, %s, 1, 1, 'answer')",
            (answer_sid, candidate.phone, "Six years", start + timedelta(seconds=1), interview),
        )
    twilio = TwilioArchive(
        {question_sid: FetchedSms(question_sid, candidate.phone, "Q1/1: Years of Python?", "delivered")}
    )

    report = repair_conversation_log(start - timedelta(seconds=1), sender=twilio)
    assert (report.inbound, report.outbound_restored, report.outbound_present) == (1, 1, 0)
    assert report.outbound_unknown_to_twilio == [forgotten_sid]
    entries = conversation_log().list_for_interview(interview)
    assert [(e["direction"], e["sid"], e["body"], e["status"]) for e in entries] == [
        ("out", question_sid, "Q1/1: Years of Python?", "delivered"),
        ("in", answer_sid, "Six years", "received"),
    ]
    assert entries[0]["question_position"] == 1 and entries[0]["created_at"] == start  # the original time

    again = repair_conversation_log(start - timedelta(seconds=1), sender=twilio)
    assert (again.outbound_restored, again.outbound_present) == (0, 1)
    assert twilio.fetched.count(question_sid) == 1  # what the log holds is not asked of Twilio again
    assert len(conversation_log().list_for_interview(interview)) == 2
    assert repair_conversation_log(start + timedelta(minutes=1), sender=twilio).inbound == 0  # the window
