"""Erasing a candidate, and the storage clean-up that follows any deletion.

Order matters. First, in one PostgreSQL transaction: active interviews are cancelled (only with force), the
candidate row is deleted (interviews, answers, scores, inbound messages and the resume row cascade), and one
`erasure_pending` row is written for each piece of storage work still owed: the candidate's blobs, the
conversation-log partitions of their interviews and of their phone number, the orchestrations to terminate,
and the audit entry. After the commit the API no longer shows the person. Then the orchestrations are
terminated (before their log partitions are erased, so they stop writing to them), then blobs and table
entries are deleted, each pending row removed once its work is done. A failure leaves its row with the error
and a back-off time; the next erasure call and the `retry_pending_erasures` timer function retry it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

from shared.adapters.conversation_log import phone_partition
from shared.adapters.resume_store import ResumeStore
from shared.data import erasure as pending_store
from shared.data import resumes as resume_rows
from shared.db import transaction
from shared.errors import Conflict, NotFound
from shared.schemas.resumes import CandidateErasure
from shared.settings import Settings

log = logging.getLogger(__name__)

ERASURE_REASON = "candidate erased"
STORAGE_KINDS = ["resume_blob", "resume_prefix", "conversation_partition", "audit"]


class OrchestrationClient(Protocol):
    """The part of azure.durable_functions.DurableOrchestrationClient that erasure uses."""

    async def terminate(self, instance_id: str, reason: str) -> None: ...


@dataclass
class ErasurePlan:
    candidate_id: UUID
    cancelled: list[UUID]
    interviews: int
    storage_ids: list[int] = field(default_factory=list)
    orchestration_ids: list[int] = field(default_factory=list)


def erase_candidate_records(candidate_id: UUID, *, force: bool, actor: str) -> ErasurePlan:
    """The database half of an erasure, in one transaction; returns the storage work it queued."""
    with transaction() as cur:
        candidate = pending_store.lock_candidate(cur, candidate_id)
        if candidate is None:
            raise NotFound(f"no candidate with id {candidate_id}")
        interviews = pending_store.interviews_of(cur, candidate_id)
        active = [row["id"] for row in interviews if row["active"]]
        if active and not force:
            raise Conflict(
                "the candidate has an active interview; cancel it first or erase with force=true",
                active_interviews=[str(i) for i in active],
            )
        if active:
            pending_store.cancel_interviews(cur, active, ERASURE_REASON)
        phone = candidate["phone_e164"]
        # Another candidate record with the same number (the person applied twice) keeps the number's
        # messages outside interviews: they are that record's history too.
        phone_is_shared = pending_store.phone_shared_with_others(cur, candidate_id, phone)
        if not phone_is_shared:
            pending_store.delete_messages_outside_interviews(cur, phone)
        had_resume = resume_rows.get(cur, candidate_id) is not None
        pending_store.delete_candidate(cur, candidate_id)
        cur.execute("SELECT now() AS now")
        erased_at: datetime = cur.fetchone()["now"]

        plan = ErasurePlan(candidate_id, active, len(interviews))

        def owe(kind: str, target: str) -> None:
            pending_id = pending_store.add_pending(cur, candidate_id, kind, target)
            (plan.orchestration_ids if kind == "orchestration" else plan.storage_ids).append(pending_id)

        for interview_id in active:
            owe("orchestration", str(interview_id))
        # The whole prefix, not just the current blob: it also sweeps blobs of failed or replaced uploads.
        owe("resume_prefix", ResumeStore.prefix_for(candidate_id))
        for row in interviews:
            owe("conversation_partition", str(row["id"]))
        if not phone_is_shared:
            owe("conversation_partition", phone_partition(phone))
        audit = {
            "actor": actor,
            "action": "candidate.erased",
            "target_type": "candidate",
            "target_id": str(candidate_id),
            "at": erased_at.isoformat(),
            "entry_id": uuid.uuid4().hex,
            # Counts and flags only: the trail outlives the erasure and must not hold personal data.
            "details": {
                "interviews_erased": len(interviews),
                "interviews_cancelled": len(active),
                "resume_erased": had_resume,
                "forced": bool(active),
            },
        }
        owe("audit", json.dumps(audit, sort_keys=True))
    return plan


def _perform(item: dict, settings: Settings) -> None:
    kind, target = item["kind"], item["target"]
    if kind == "resume_blob":
        with transaction() as cur:
            if resume_rows.blob_in_use(cur, target):
                return  # the same file was uploaded again and is current: keep it
        from shared.adapters.resume_store import resume_store

        resume_store(settings).delete(target)
    elif kind == "resume_prefix":
        from shared.adapters.resume_store import resume_store

        resume_store(settings).delete_prefix(target)
    elif kind == "conversation_partition":
        from shared.adapters.conversation_log import conversation_log

        conversation_log(settings).erase_partition(target)
    elif kind == "audit":
        from shared.adapters.audit_log import audit_log

        entry = json.loads(target)
        audit_log(settings).record(
            entry["actor"],
            entry["action"],
            entry["target_type"],
            entry["target_id"],
            entry["details"],
            at=datetime.fromisoformat(entry["at"]),
            entry_id=entry["entry_id"],  # a retry after a partial failure rewrites the same entry
        )
    else:
        raise ValueError(f"unknown pending kind {kind!r}")


def _claim(kinds: list[str], limit: int, ids: list[int] | None) -> list[dict]:
    with transaction() as cur:
        return pending_store.claim(cur, kinds, limit, ids)


def _finish(pending_id: int, error: str | None) -> None:
    with transaction() as cur:
        if error is None:
            pending_store.done(cur, pending_id)
        else:
            pending_store.failed(cur, pending_id, error)


def run_storage_cleanup(settings: Settings, *, ids: list[int] | None = None, limit: int = 50) -> int:
    """Do the queued blob/table/audit work (exactly `ids`, or up to `limit` due rows); returns failures."""
    if ids is not None and not ids:
        return 0
    failures = 0
    for item in _claim(STORAGE_KINDS, limit if ids is None else len(ids), ids):
        try:
            _perform(item, settings)
        except Exception as exc:
            failures += 1
            log.warning(
                "storage clean-up failed; it will be retried",
                extra={"pending_id": item["id"], "kind": item["kind"], "attempts": item["attempts"]},
                exc_info=exc,
            )
            _finish(item["id"], f"{type(exc).__name__}: {exc}")
        else:
            _finish(item["id"], None)
    return failures


def _instance_gone(error: Exception) -> bool:
    # The durable client raises a bare Exception: "No instance with ID '...' found." for 404 (410, already
    # finished or terminated, is not an error). Either way there is nothing left to stop.
    message = str(error).lower()
    return "no instance with id" in message or "not found" in message or "is gone" in message


async def terminate_orchestrations(
    client: OrchestrationClient, *, ids: list[int] | None = None, limit: int = 50
) -> int:
    """Terminate the queued orchestrations of cancelled interviews; returns failures."""
    if ids is not None and not ids:
        return 0
    failures = 0
    items = await asyncio.to_thread(_claim, ["orchestration"], limit if ids is None else len(ids), ids)
    for item in items:
        error: str | None = None
        try:
            await client.terminate(item["target"], ERASURE_REASON)
        except Exception as exc:
            if not _instance_gone(exc):
                failures += 1
                error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "terminating an orchestration failed; it will be retried",
                    extra={"instance_id": item["target"]},
                )
        await asyncio.to_thread(_finish, item["id"], error)
    return failures


async def retry_pending(settings: Settings, client: OrchestrationClient | None, limit: int = 50) -> None:
    """Retry due clean-up work: orchestrations (when a durable client is at hand) first, then storage."""
    if client is not None:
        await terminate_orchestrations(client, limit=limit)
    await asyncio.to_thread(run_storage_cleanup, settings, limit=limit)


def _pending_count(candidate_id: UUID) -> int:
    with transaction() as cur:
        return pending_store.count_for(cur, candidate_id)


async def erase_candidate(
    candidate_id: UUID,
    *,
    force: bool,
    actor: str,
    settings: Settings,
    client: OrchestrationClient | None,
) -> CandidateErasure:
    """Erase a candidate everywhere; 404 when unknown, 409 while an interview is active unless `force`."""
    plan = await asyncio.to_thread(erase_candidate_records, candidate_id, force=force, actor=actor)
    if client is not None:
        await terminate_orchestrations(client, ids=plan.orchestration_ids)
    await asyncio.to_thread(run_storage_cleanup, settings, ids=plan.storage_ids)
    try:  # leftovers of earlier erasures; must not fail this one
        await retry_pending(settings, client, limit=20)
    except Exception:
        log.warning("retrying earlier clean-up failed", exc_info=True)
    return CandidateErasure(
        candidate_id=candidate_id,
        cancelled_interviews=plan.cancelled,
        erased_interviews=plan.interviews,
        cleanup_pending=await asyncio.to_thread(_pending_count, candidate_id),
    )
