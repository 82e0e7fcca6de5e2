"""The storage adapters against Azurite, with the real Azure SDKs."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from shared.adapters.audit_log import audit_log
from shared.adapters.conversation_log import conversation_log, phone_partition
from shared.adapters.resume_store import ResumeStore, resume_store

pytestmark = pytest.mark.usefixtures("azurite")

PHONE = "+14155550100"


def _sid() -> str:
    return "SM" + uuid.uuid4().hex


def test_conversation_log_reads_an_interview_back_in_time_order():
    log = conversation_log()
    interview = uuid.uuid4()
    start = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    sids = [_sid() for _ in range(3)]
    log.record_inbound(
        sid=sids[2], phone=PHONE, body="5 years", kind="answer", interview_id=interview,
        question_position=1, created_at=start + timedelta(seconds=90),
    )  # fmt: skip
    log.record_outbound(
        sid=sids[0], phone=PHONE, body="Hi!", kind="greeting", interview_id=interview, created_at=start
    )
    log.record_outbound(
        sid=sids[1], phone=PHONE, body="Years of Python?", kind="question", interview_id=interview,
        question_position=1, created_at=start + timedelta(seconds=1),
    )  # fmt: skip
    entries = log.list_for_interview(interview)
    assert [e["sid"] for e in entries] == sids
    assert [e["direction"] for e in entries] == ["out", "out", "in"]
    assert entries[1]["question_position"] == 1 and entries[1]["kind"] == "question"
    assert entries[2]["status"] == "received"
    assert entries[0]["created_at"] == start
    assert entries[0]["interview_id"] == str(interview)


def test_recording_the_same_sid_twice_keeps_one_entry():
    log = conversation_log()
    interview, sid = uuid.uuid4(), _sid()
    first = log.record_inbound(sid=sid, phone=PHONE, body="yes", kind="answer", interview_id=interview)
    again = log.record_inbound(sid=sid, phone=PHONE, body="yes", kind="answer", interview_id=interview)
    assert again["created_at"] == first["created_at"]
    assert len(log.list_for_interview(interview)) == 1


def test_status_updates_only_move_forward():
    log = conversation_log()
    interview, sid = uuid.uuid4(), _sid()
    log.record_outbound(sid=sid, phone=PHONE, body="Q1", kind="question", interview_id=interview)
    assert log.update_status(sid, "sent")["status"] == "sent"
    delivered = log.update_status(sid, "delivered")
    assert delivered["status"] == "delivered"
    late = log.update_status(sid, "sent")  # Twilio's callbacks arrive out of order
    assert late["status"] == "delivered"
    assert log.update_status(sid, "failed", 30003)["status"] == "delivered"
    assert log.get(sid)["status"] == "delivered"


def test_failure_carries_the_error_code():
    log = conversation_log()
    sid = _sid()
    log.record_outbound(sid=sid, phone=PHONE, body="Q", kind="question", interview_id=uuid.uuid4())
    failed = log.update_status(sid, "undelivered", 30005)
    assert (failed["status"], failed["error_code"]) == ("undelivered", "30005")


def test_a_status_reaching_another_instance_than_the_one_that_recorded_the_message_is_applied():
    from shared.adapters import storage
    from shared.adapters.conversation_log import ConversationLog

    recorder = conversation_log()
    other_instance = ConversationLog(storage.table_service_client())  # knows nothing this process recorded
    sid = _sid()
    recorder.record_outbound(sid=sid, phone=PHONE, body="Q", kind="question", interview_id=uuid.uuid4())
    assert other_instance.update_status(sid, "sent")["status"] == "sent"
    # The recorder's remembered version is stale now: its write is refused, it reads the entry and applies.
    assert recorder.update_status(sid, "delivered")["status"] == "delivered"
    assert other_instance.update_status(sid, "read")["status"] == "read"
    assert recorder.update_status(sid, "delivered")["status"] == "read"  # never backwards
    assert recorder.get(sid)["status"] == "read"


def test_a_status_callback_before_the_message_is_recorded_is_applied_when_it_is():
    log = conversation_log()
    sid = _sid()
    assert log.update_status(sid, "sent") is None
    assert log.update_status(sid, "delivered") is None
    assert log.update_status(sid, "sent") is None
    entry = log.record_outbound(sid=sid, phone=PHONE, body="Hi", kind="greeting", interview_id=uuid.uuid4())
    assert entry["status"] == "delivered"
    assert log.get(sid)["status"] == "delivered"


def test_a_status_callback_while_the_message_is_being_recorded_is_kept_and_readers_never_see_it_alone():
    from shared.adapters import storage
    from shared.adapters.conversation_log import ConversationLog

    recorder = conversation_log()
    callbacks = ConversationLog(storage.table_service_client())  # another instance serves the callback
    interview, sid = uuid.uuid4(), _sid()
    write_entry = recorder._write_entry

    def crash_after_the_callback(sid_: str, entity: dict) -> dict:
        # The SID is claimed; the callback lands before the entry is written; then the recorder dies.
        assert callbacks.update_status(sid_, "delivered") is None
        assert callbacks.update_status(sid_, "sent") is None  # still only moves forward
        raise ConnectionError("recorder died")

    recorder._write_entry = crash_after_the_callback
    with pytest.raises(ConnectionError):
        recorder.record_outbound(sid=sid, phone=PHONE, body="Q1", kind="question", interview_id=interview)
    assert callbacks.get(sid) is None and callbacks.list_for_interview(interview) == []

    recorder._write_entry = write_entry  # the activity's retry records the message
    entry = recorder.record_outbound(sid=sid, phone=PHONE, body="Q1", kind="question", interview_id=interview)
    assert (entry["status"], entry["body"]) == ("delivered", "Q1")
    assert [(e["sid"], e["status"]) for e in callbacks.list_for_interview(interview)] == [(sid, "delivered")]
    assert callbacks.update_status(sid, "read")["status"] == "read"
    assert recorder.get(sid)["status"] == "read"


def test_messages_outside_interviews_live_in_a_hashed_phone_partition():
    log = conversation_log()
    phone = "+447700900123"
    sid = _sid()
    log.record_inbound(sid=sid, phone=phone, body="HELP", kind="help")
    assert phone not in phone_partition(phone) and phone_partition(phone).startswith("phone-")
    assert [e["sid"] for e in log.list_for_phone(phone)] == [sid]
    assert log.get(sid)["interview_id"] is None


def test_erasing_an_interview_or_a_phone_removes_entries_and_sid_pointers():
    log = conversation_log()
    interview, phone = uuid.uuid4(), "+14155550177"
    kept_interview = uuid.uuid4()
    in_interview = [_sid() for _ in range(105)]  # more than one 100-operation transaction
    for n, sid in enumerate(in_interview):
        log.record_outbound(
            sid=sid, phone=phone, body=f"m{n}", kind="question", interview_id=interview,
            created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
        )  # fmt: skip
    outside, kept = _sid(), _sid()
    log.record_inbound(sid=outside, phone=phone, body="STOP", kind="opt_out")
    log.record_outbound(sid=kept, phone=phone, body="other", kind="question", interview_id=kept_interview)

    assert log.erase_interview(interview) == 105
    assert log.list_for_interview(interview) == []
    assert log.get(in_interview[0]) is None and log.update_status(in_interview[-1], "delivered") is None
    assert log.erase_phone(phone) == 1
    assert log.list_for_phone(phone) == [] and log.get(outside) is None
    assert log.get(kept)["body"] == "other"  # other interviews are untouched
    assert log.erase_interview(interview) == 0


def test_bad_sids_are_refused():
    with pytest.raises(ValueError):
        conversation_log().record_inbound(sid="SM/../x", phone=PHONE, body="x", kind="answer")


def test_audit_log_lists_newest_first_across_months_without_personal_data():
    audit = audit_log()
    marker = uuid.uuid4().hex
    now = datetime.now(UTC)
    last_month = (now.replace(day=1) - timedelta(days=1)).replace(hour=12)
    audit.record("token:a", "job.created", "job", marker, {"questions": 3}, at=last_month)
    audit.record("token:b", "candidate.erased", "candidate", marker, {"interviews_erased": 2})
    audit.record("ADMIN_TOKEN", "token.created", "token", marker)
    recent = [e for e in audit.recent(50) if e["target_id"] == marker]
    assert [e["action"] for e in recent] == ["token.created", "candidate.erased", "job.created"]
    assert recent[1]["details"] == {"interviews_erased": 2}
    assert recent[1]["actor"] == "token:b"
    assert recent[2]["at"] == last_month
    assert len(audit.recent(2)) == 2


def test_audit_entries_with_an_id_are_written_once():
    audit = audit_log()
    target, entry_id, at = uuid.uuid4().hex, uuid.uuid4(), datetime.now(UTC)
    for _ in range(2):
        audit.record("token:a", "candidate.erased", "candidate", target, at=at, entry_id=entry_id)
    assert len([e for e in audit.recent(100) if e["target_id"] == target]) == 1
    with pytest.raises(ValueError):
        audit.record("token:a", "Erased Candidate", "candidate", target)


def test_resume_store_round_trip_metadata_and_prefix_delete():
    store = resume_store()
    candidate = uuid.uuid4()
    data = os.urandom(5 * 1024 * 1024 + 17)  # over one 4 MiB block: the upload is staged in blocks
    import hashlib

    name = ResumeStore.blob_name_for(candidate, hashlib.sha256(data).hexdigest(), "pdf")
    store.put(name, memoryview(data), content_type="application/pdf", file_name="Zoë résumé.pdf")
    opened = store.open(name)
    assert (opened.size, opened.content_type, opened.file_name) == (
        len(data),
        "application/pdf",
        "Zoë résumé.pdf",
    )
    assert opened.metadata["file_name"].isascii()
    assert b"".join(opened.chunks()) == data
    store.put(
        ResumeStore.blob_name_for(candidate, "0" * 64, "docx"), b"PK", content_type="x/y", file_name="a"
    )
    assert len(store.names(ResumeStore.prefix_for(candidate))) == 2
    assert store.delete_prefix(ResumeStore.prefix_for(candidate)) == 2
    assert store.names(ResumeStore.prefix_for(candidate)) == [] and store.delete(name) is False
    with pytest.raises(ValueError):
        ResumeStore.blob_name_for(candidate, "../etc", "pdf")


def test_the_container_is_private_and_links_expire():
    store = resume_store()
    name = ResumeStore.blob_name_for(uuid.uuid4(), "1" * 64, "pdf")
    store.put(name, b"%PDF-1.4 tiny", content_type="application/pdf", file_name="Ünïcode cv.pdf")
    plain_url = store.link(name, expires_in=timedelta(minutes=1), file_name="x", content_type="x").url.split(
        "?"
    )[0]
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(plain_url, timeout=10)
    assert anonymous.value.code in (403, 404)  # Azurite answers 403 ResourceNotFound-style for private

    link = store.link(
        name, expires_in=timedelta(minutes=1), file_name="Ünïcode cv.pdf", content_type="application/pdf"
    )
    with urllib.request.urlopen(link.url, timeout=10) as response:
        assert response.read() == b"%PDF-1.4 tiny"
        disposition = response.headers["Content-Disposition"]
        assert disposition.endswith("filename*=UTF-8''" + quote("Ünïcode cv.pdf", safe=""))

    short = store.link(
        name, expires_in=timedelta(seconds=1), file_name="a.pdf", content_type="application/pdf"
    )
    time.sleep(2.2)
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(short.url, timeout=10)
    assert expired.value.code == 403
