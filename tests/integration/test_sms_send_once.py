"""An SMS keyed for deduplication goes out once, even when an attempt dies after Twilio accepted it and
before its SID was recorded: the next attempt asks Twilio first (the Messages API has no idempotency key)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import psycopg2
import pytest

from shared.adapters import factory
from shared.adapters.sms import SentSms, SmsSendError
from shared.services import interview_flow

PHONE = "+14155550190"


class FakeSender:
    """Twilio as the sender sees it: what it accepted, and a lookup of it."""

    def __init__(self) -> None:
        self.accepted: list[tuple[str, str, str, datetime]] = []
        self.fail_next: SmsSendError | None = None
        self._sids = itertools.count(1)

    def send(self, to: str, body: str) -> SentSms:
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        sid = f"SM{next(self._sids):032d}"
        self.accepted.append((sid, to, body, datetime.now(UTC)))
        return SentSms(sid, "queued")

    def find_sent(self, to: str, body: str, since: datetime) -> SentSms | None:
        return next(
            (SentSms(s, "queued") for s, t, b, at in reversed(self.accepted) if (t, b) == (to, body)), None
        )


@pytest.fixture
def sender(clean_db, monkeypatch) -> FakeSender:
    fake = FakeSender()
    monkeypatch.setattr(factory, "sms_sender", lambda: fake)
    return fake


def outbound(database_url: str, key: str) -> list[tuple]:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT sid, kind FROM outbound_messages WHERE dedupe_key = %s", (key,))
        return cur.fetchall()


def test_an_attempt_that_died_after_twilio_accepted_is_not_sent_again(sender, clean_db, monkeypatch):
    real_record = interview_flow._record_sent
    calls = iter([RuntimeError("the process died here"), None])

    def dies_once(*args, **kwargs):
        error = next(calls)
        if error is not None:
            raise error
        return real_record(*args, **kwargs)

    monkeypatch.setattr(interview_flow, "_record_sent", dies_once)
    send = dict(kind="question", dedupe_key="k1:question:1:1", interview_id=None, candidate_id=None)
    with pytest.raises(RuntimeError):
        interview_flow.send_sms(PHONE, "Q1/3: Years of Python?", **send)
    assert outbound(clean_db, "k1:question:1:1") == [(None, "question")]  # claimed, outcome unknown
    assert interview_flow.send_sms(PHONE, "Q1/3: Years of Python?", **send) == "skipped"
    assert len(sender.accepted) == 1
    assert outbound(clean_db, "k1:question:1:1") == [(sender.accepted[0][0], "question")]
    assert interview_flow.send_sms(PHONE, "Q1/3: Years of Python?", **send) == "skipped"
    assert len(sender.accepted) == 1


def test_an_attempt_twilio_refused_for_a_while_is_sent_once_on_the_retry(sender, clean_db):
    send = dict(kind="reminder", dedupe_key="k2:reminder:1:1:1", interview_id=None, candidate_id=None)
    sender.fail_next = SmsSendError("could not reach Twilio: ConnectionError")
    with pytest.raises(SmsSendError):
        interview_flow.send_sms(PHONE, "Reminder: Q1", **send)
    assert interview_flow.send_sms(PHONE, "Reminder: Q1", **send) == "sent"
    assert interview_flow.send_sms(PHONE, "Reminder: Q1", **send) == "skipped"
    assert [body for _, _, body, _ in sender.accepted] == ["Reminder: Q1"]
    assert outbound(clean_db, "k2:reminder:1:1:1") == [(sender.accepted[0][0], "reminder")]
