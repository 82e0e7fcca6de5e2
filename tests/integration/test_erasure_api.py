"""Erasing a candidate: nothing may be left in PostgreSQL, Blob Storage or Table Storage."""

from __future__ import annotations

import json
import uuid

import psycopg2
import pytest

from shared.adapters.audit_log import audit_log
from shared.adapters.conversation_log import ConversationLog, conversation_log
from shared.adapters.resume_store import resume_store
from tests.support.documents import make_pdf
from tests.support.functions_host import call

pytestmark = pytest.mark.usefixtures("azurite")

PHONE = "+14155550142"
NAME = "Katherine Johnson"
EMAIL = "katherine@example.com"


class OrchestrationsAlreadyGone:
    """The one faked edge: a durable client for a test run without a Durable Functions host. Its
    `terminate` answers as the real DurableOrchestrationClient does when no instance has that id (the
    library raises a bare Exception with this message on HTTP 404)."""

    def __init__(self) -> None:
        self.terminated: list[tuple[str, str]] = []

    async def terminate(self, instance_id: str, reason: str) -> None:
        self.terminated.append((instance_id, reason))
        raise Exception(f"No instance with ID '{instance_id}' found.")


class OrchestrationsUnreachable(OrchestrationsAlreadyGone):
    async def terminate(self, instance_id: str, reason: str) -> None:
        self.terminated.append((instance_id, reason))
        raise Exception("The operation failed with an unexpected status code 500")


def sql(database_url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall() if cur.description else []


def seed_candidate(database_url: str, *, interview_status: str = "completed", phone: str = PHONE) -> dict:
    job = call("POST", "jobs", json={"title": "Analyst", "questions": [{"text": "Why orbits?"}]}).json()
    candidate = call(
        "POST", "candidates", json={"name": NAME, "phone": phone, "email": EMAIL, "job_id": job["id"]}
    ).json()
    assert (
        call(
            "PUT",
            f"candidates/{candidate['id']}/resume",
            body=make_pdf([NAME]),
            headers={"Content-Type": "application/pdf"},
        ).status
        == 200
    )
    interview_id = sql(
        database_url,
        "INSERT INTO interviews (candidate_id, job_id, phone_e164, status, question_count) "
        "VALUES (%s, %s, %s, %s, 1) RETURNING id",
        (candidate["id"], job["id"], phone, interview_status),
    )[0][0]
    sql(
        database_url,
        "INSERT INTO answers (interview_id, question_position, question_text, text, message_sids, "
        "received_at) VALUES (%s, 1, 'Why orbits?', 'Because maths', ARRAY['SMin1'], now())",
        (interview_id,),
    )
    sql(
        database_url,
        "INSERT INTO inbound_messages (message_sid, from_phone, body, interview_id, handled_as) VALUES "
        "(%s, %s, 'Because maths', %s, 'answer'), (%s, %s, 'HELP', NULL, 'help')",
        ("SM" + uuid.uuid4().hex, phone, interview_id, "SM" + uuid.uuid4().hex, phone),
    )
    log = conversation_log()
    sids = ["SM" + uuid.uuid4().hex for _ in range(3)]
    log.record_outbound(
        sid=sids[0], phone=phone, body="Why orbits?", kind="question", interview_id=interview_id
    )
    log.record_inbound(
        sid=sids[1], phone=phone, body="Because maths", kind="answer", interview_id=interview_id
    )
    log.record_inbound(sid=sids[2], phone=phone, body="HELP", kind="help")
    return {
        "candidate": candidate,
        "job": job,
        "interview_id": str(interview_id),
        "sids": sids,
        "phone": phone,
    }


def assert_nothing_left(database_url: str, seeded: dict) -> None:
    candidate_id = seeded["candidate"]["id"]
    for table, column, value in [
        ("candidates", "id", candidate_id),
        ("resumes", "candidate_id", candidate_id),
        ("interviews", "candidate_id", candidate_id),
        ("answers", "interview_id", seeded["interview_id"]),
        ("inbound_messages", "from_phone", seeded["phone"]),
        ("erasure_pending", "candidate_id", candidate_id),
    ]:
        assert sql(database_url, f"SELECT count(*) FROM {table} WHERE {column} = %s", (value,)) == [(0,)], (
            table
        )
    assert resume_store().names(f"{candidate_id}/") == []
    log = conversation_log()
    assert log.list_for_interview(seeded["interview_id"]) == []
    assert log.list_for_phone(seeded["phone"]) == []
    assert all(log.get(sid) is None for sid in seeded["sids"])
    pointers = list(log._table().query_entities("PartitionKey eq 'sid'"))
    assert not {p["RowKey"] for p in pointers} & set(seeded["sids"])


def erasure_audit(candidate_id: str) -> list[dict]:
    return [e for e in audit_log().recent(200) if e["target_id"] == candidate_id]


def test_erasure_leaves_nothing_behind_and_is_audited_without_personal_data(database_url):
    seeded = seed_candidate(database_url)
    candidate_id = seeded["candidate"]["id"]
    recruiter = call("POST", "tokens", json={"role": "recruiter", "label": "recruiter"}).json()
    response = call("DELETE", f"candidates/{candidate_id}", token=recruiter["token"])
    assert response.status == 200, response
    assert response.json() == {
        "candidate_id": candidate_id,
        "cancelled_interviews": [],
        "erased_interviews": 1,
        "cleanup_pending": 0,
    }
    assert call("GET", f"candidates/{candidate_id}").status == 404
    assert_nothing_left(database_url, seeded)
    assert sql(database_url, "SELECT count(*) FROM jobs WHERE id = %s", (seeded["job"]["id"],)) == [(1,)]
    [entry] = erasure_audit(candidate_id)
    assert (entry["actor"], entry["action"], entry["target_type"]) == (
        f"token:{recruiter['id']}",
        "candidate.erased",
        "candidate",
    )
    assert entry["details"] == {
        "interviews_erased": 1,
        "interviews_cancelled": 0,
        "resume_erased": True,
        "forced": False,
    }
    written = json.dumps(entry, default=str)
    for personal in (NAME, PHONE, PHONE[1:], EMAIL, "Katherine"):
        assert personal not in written
    assert call("DELETE", f"candidates/{candidate_id}").status == 404


def test_an_active_interview_blocks_erasure_unless_forced(database_url):
    seeded = seed_candidate(database_url, interview_status="in_progress")
    candidate_id = seeded["candidate"]["id"]
    refused = call("DELETE", f"candidates/{candidate_id}")
    assert refused.status == 409
    assert refused.json()["active_interviews"] == [seeded["interview_id"]]
    assert call("GET", f"candidates/{candidate_id}").status == 200
    assert resume_store().names(f"{candidate_id}/") != []

    client = OrchestrationsAlreadyGone()
    forced = call("DELETE", f"candidates/{candidate_id}", params={"force": "true"}, durable_client=client)
    assert forced.status == 200, forced
    assert forced.json()["cancelled_interviews"] == [seeded["interview_id"]]
    assert forced.json()["cleanup_pending"] == 0
    assert client.terminated == [(seeded["interview_id"], "candidate erased")]
    assert_nothing_left(database_url, seeded)
    assert erasure_audit(candidate_id)[0]["details"]["interviews_cancelled"] == 1


def test_failed_storage_and_termination_are_recorded_and_retried(database_url, monkeypatch):
    from shared.services.erasure import retry_pending
    from shared.settings import get_settings

    seeded = seed_candidate(database_url, interview_status="paused")
    candidate_id = seeded["candidate"]["id"]
    original = ConversationLog.erase_partition

    def table_storage_down(self, partition_key):
        raise ConnectionError("table storage unreachable")

    monkeypatch.setattr(ConversationLog, "erase_partition", table_storage_down)
    response = call(
        "DELETE",
        f"candidates/{candidate_id}",
        params={"force": "1"},
        durable_client=OrchestrationsUnreachable(),
    )
    assert response.status == 200, response
    # Gone from the API at once; two log partitions and one orchestration are still owed.
    assert call("GET", f"candidates/{candidate_id}").status == 404
    assert response.json()["cleanup_pending"] == 3
    pending = sql(
        database_url,
        "SELECT kind, last_error IS NOT NULL FROM erasure_pending WHERE candidate_id = %s ORDER BY id",
        (candidate_id,),
    )
    assert pending == [
        ("orchestration", True),
        ("conversation_partition", True),
        ("conversation_partition", True),
    ]
    assert resume_store().names(f"{candidate_id}/") == []  # the blob part did succeed
    assert [e["target_id"] for e in erasure_audit(candidate_id)] == [candidate_id]
    assert conversation_log().list_for_interview(seeded["interview_id"]) != []

    monkeypatch.setattr(ConversationLog, "erase_partition", original)
    sql(database_url, "UPDATE erasure_pending SET next_attempt_at = now()")
    import asyncio

    client = OrchestrationsAlreadyGone()
    asyncio.run(retry_pending(get_settings(), client))
    assert client.terminated == [(seeded["interview_id"], "candidate erased")]
    assert_nothing_left(database_url, seeded)
    assert len(erasure_audit(candidate_id)) == 1  # the audit entry was not written twice


def test_a_phone_shared_with_another_candidate_keeps_its_messages(database_url):
    seeded = seed_candidate(database_url)
    other = call("POST", "candidates", json={"name": "Same Person Again", "phone": PHONE}).json()
    assert call("DELETE", f"candidates/{seeded['candidate']['id']}").status == 200
    assert conversation_log().list_for_interview(seeded["interview_id"]) == []
    assert [e["body"] for e in conversation_log().list_for_phone(PHONE)] == ["HELP"]
    assert sql(database_url, "SELECT count(*) FROM inbound_messages WHERE interview_id IS NULL") == [(1,)]
    assert call("GET", f"candidates/{other['id']}").status == 200


def test_erasure_needs_the_recruiter_role():
    candidate = call("POST", "candidates", json={"name": "X", "phone": "+14155550199"}).json()
    viewer = call("POST", "tokens", json={"role": "viewer", "label": "viewer"}).json()["token"]
    assert call("DELETE", f"candidates/{candidate['id']}", token=viewer).status == 403
    assert call("DELETE", f"candidates/{candidate['id']}", token=None).status == 401
    assert call("DELETE", f"candidates/{uuid.uuid4()}").status == 404
    assert call("DELETE", f"candidates/{candidate['id']}", params={"force": "maybe"}).status == 422
    assert call("DELETE", f"candidates/{candidate['id']}").status == 200
