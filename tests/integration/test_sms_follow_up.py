"""What follows an inbound SMS after the webhook has answered: the conversation log entry and any automatic
reply, on threads of their own, and the catch-up that redoes them from PostgreSQL when they did not happen."""

from __future__ import annotations

import itertools

import psycopg2
import pytest

from shared.adapters import factory
from shared.adapters.sms import SentSms
from shared.services import sms_inbound
from shared.services.sms_inbound import FollowUps, catch_up_follow_ups, handle_inbound
from tests.support.factories import insert_interview, make_candidate, make_job

pytestmark = pytest.mark.usefixtures("azurite")
_sids = itertools.count(1)


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, body: str) -> SentSms:
        self.sent.append((to, body))
        return SentSms(sid=f"SMout{len(self.sent):027d}", status="queued")


@pytest.fixture
def sender(monkeypatch: pytest.MonkeyPatch) -> RecordingSender:
    recording = RecordingSender()
    monkeypatch.setattr(factory, "sms_sender", lambda: recording)
    return recording


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> FollowUps:
    """A FollowUps that remembers nothing, as in a process started after another one stopped."""
    follow_ups = FollowUps(threads=2)
    monkeypatch.setattr(sms_inbound, "follow_ups", follow_ups)
    return follow_ups


def inbound(body: str, phone: str) -> dict[str, str]:
    return {"MessageSid": f"SMfu{next(_sids):028d}", "From": phone, "To": "+15005550006", "Body": body}


def age(database_url: str, sid: str, seconds: int) -> None:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE inbound_messages SET received_at = received_at - make_interval(secs => %s) WHERE message_sid = %s",
            (seconds, sid),
        )


def test_follow_up_logs_at_receipt_time_and_replies_once(clean_db, sender, fresh_process, monkeypatch):
    result = handle_inbound(inbound("Hi, is this about the job?", "+14155550931"))
    assert result.reply and not sender.sent  # the webhook itself sends nothing
    assert fresh_process.submit(result)
    assert fresh_process.wait(30)
    entry = factory.conversation_log().get(result.sid)
    assert entry["direction"] == "in" and entry["kind"] == "no_interview"
    assert abs((entry["created_at"] - result.received_at).total_seconds()) < 0.01
    assert sender.sent == [("+14155550931", result.reply)]
    age(clean_db, result.sid, 120)
    assert catch_up_follow_ups().logged == 0  # remembered by this process: no log read needed
    monkeypatch.setattr(sms_inbound, "follow_ups", FollowUps())  # another process: reads the log, finds it
    outcome = catch_up_follow_ups()
    assert (outcome.checked, outcome.logged, outcome.replied) == (1, 0, 0)
    assert len(sender.sent) == 1


def test_catch_up_logs_and_replies_to_messages_whose_follow_up_never_ran(clean_db, sender, fresh_process):
    job = make_job([{"text": "Years of Python?"}])
    candidate = make_candidate(phone="+14155550932", job_id=job.id)
    interview = insert_interview(
        clean_db, candidate, job, current_question=1, attempt=1, awaiting_answer=True
    )
    answer = handle_inbound(inbound("Six years", "+14155550932"))
    stranger = handle_inbound(inbound("Who is this?", "+14155550933"))
    for result in (answer, stranger):
        age(clean_db, result.sid, 120)
    recent = handle_inbound(inbound("Hello?", "+14155550934"))  # its follow-up may still be under way
    outcome = catch_up_follow_ups()
    assert (outcome.checked, outcome.logged, outcome.replied) == (2, 2, 1)
    log = factory.conversation_log()
    logged_answer = log.get(answer.sid)
    assert logged_answer["interview_id"] == interview and logged_answer["question_position"] == 1
    assert logged_answer["candidate_id"] == str(candidate.id) and logged_answer["kind"] == "answer"
    assert log.get(stranger.sid)["kind"] == "no_interview"
    assert log.get(recent.sid) is None
    assert sender.sent == [("+14155550933", stranger.reply)]
    again = catch_up_follow_ups()
    assert (again.logged, again.replied) == (0, 0)
