"""The conversation log: every SMS in and out, with its Twilio SID and delivery status, in Table Storage.

Layout (table `conversationlog` by default):
- entries: PartitionKey = the interview id, or `phone-` + sha256(E.164)[:32] for messages outside any
  interview (STOP, HELP, a text from an unknown number); RowKey = f"{created_at epoch ms:013d}-{sid}", so a
  partition reads back in time order with one query.
- one pointer per SID: PartitionKey "sid", RowKey = the SID, holding the entry's keys, so a Twilio status
  callback (which carries only the SID) finds its entry with a point read. A callback that arrives before
  the message was recorded (Twilio can be faster than our write) parks its status: on the pointer when there
  is none yet or it names no entry, else on a stub entry (keys, SID and status only, no direction) where the
  entry will be. Recording the message applies either, and readers never see a stub.

Writes are idempotent by SID: recording a message twice (a retried webhook or activity) keeps one entry.
Statuses only move forward (queued < sending < sent < delivered/undelivered/failed < read): Twilio's
callbacks arrive out of order, and a late "sent" must not overwrite "delivered". Updates use ETags, so two
callbacks racing on one entry cannot undo each other.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from shared.adapters import storage
from shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from azure.data.tables import TableClient, TableServiceClient

Direction = Literal["in", "out"]

POINTER_PARTITION = "sid"
PHONE_PARTITION_PREFIX = "phone-"
BODY_LIMIT = 16_000  # a Table string property holds 32K UTF-16 units; SMS bodies are at most 1,600 chars

# Later states win; states of equal rank do not replace each other (a "failed" stays failed).
STATUS_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivery_unknown": 4,
    "receiving": 4,
    "received": 5,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
    "read": 6,
}
ENTRY_FIELDS = (
    "interview_id",
    "direction",
    "sid",
    "phone",
    "candidate_id",
    "body",
    "status",
    "error_code",
    "kind",
    "question_position",
    "created_at",
    "updated_at",
)
_SID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MAX_RACE_RETRIES = 8
_REMEMBERED_ENTRIES = 5_000


def status_rank(status: str | None) -> int:
    """Unknown statuses rank lowest: they never replace a known one."""
    return STATUS_RANK.get(status or "", -1)


def phone_partition(phone: str) -> str:
    """The partition for messages of one number outside any interview; a hash keeps the number out of keys."""
    return PHONE_PARTITION_PREFIX + hashlib.sha256(phone.encode()).hexdigest()[:32]


def partition_for(interview_id: UUID | str | None, phone: str) -> str:
    return str(UUID(str(interview_id))) if interview_id else phone_partition(phone)


def row_key(created_at: datetime, sid: str) -> str:
    epoch_ms = int(created_at.timestamp() * 1000)
    return f"{epoch_ms:013d}-{sid}"


def _check_sid(sid: str) -> str:
    if not isinstance(sid, str) or not _SID.match(sid):
        raise ValueError("a message SID is 1-64 letters, digits, '-' or '_'")
    return sid


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    return moment.astimezone(UTC)


def _entry(entity: dict[str, Any]) -> dict[str, Any]:
    """An entry as callers see it: the fields above, None where unset, no storage keys."""
    entry = {name: entity.get(name) for name in ENTRY_FIELDS}
    for name in ("created_at", "updated_at"):
        if isinstance(entry[name], datetime):
            entry[name] = datetime.fromtimestamp(entry[name].timestamp(), UTC)
    return entry


def _is_entry(entity: dict[str, Any]) -> bool:
    """A recorded message, not a stub a status callback left where the message's entry will be."""
    return bool(entity.get("direction"))


def _with_later_status(entity: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`entity` with the status (and error code) of `other` when that status is later."""
    if status_rank(other.get("status")) <= status_rank(entity.get("status")):
        return entity
    merged = {**entity, "status": other["status"]}
    merged.pop("error_code", None)
    if other.get("error_code") not in (None, ""):
        merged["error_code"] = str(other["error_code"])
    return merged


class ConversationLog:
    def __init__(self, service: TableServiceClient, table_name: str = "conversationlog") -> None:
        self._service = service
        self._table_name = table_name
        self._table_client: TableClient | None = None
        # SID -> (its entry as this process last wrote it, that write's ETag), for the SIDs this process
        # recorded or updated. A pointer's target never changes once set, so a status callback can skip
        # reading the pointer, and can apply its status with the remembered ETag without reading the entry:
        # if anyone else changed (or erased) it since, the write is refused and the entry is read as usual.
        self._written: dict[str, tuple[dict[str, Any], str]] = {}
        self._written_lock = threading.Lock()

    def _table(self) -> TableClient:
        if self._table_client is None:  # one client per log: building one per call costs more than a request
            self._table_client = storage.table_client(self._service, self._table_name)
        return self._table_client

    def _remember(self, sid: str, entity: dict[str, Any], etag: str | None) -> None:
        if not etag:
            return
        with self._written_lock:
            self._written.pop(sid, None)
            if len(self._written) >= _REMEMBERED_ENTRIES:
                self._written.pop(next(iter(self._written)))  # the oldest write
            self._written[sid] = (dict(entity), etag)

    def _forget(self, sid: str) -> None:
        with self._written_lock:
            self._written.pop(sid, None)

    # -- writing ---------------------------------------------------------------------------------------

    def record_outbound(
        self,
        *,
        sid: str,
        phone: str,
        body: str,
        kind: str,
        interview_id: UUID | str | None = None,
        candidate_id: UUID | str | None = None,
        question_position: int | None = None,
        status: str = "queued",
        error_code: str | int | None = None,
        created_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Record a message we sent (once per SID); returns the stored entry."""
        return self._record(
            "out", sid, phone, body, kind, interview_id, candidate_id, question_position, status,
            error_code, created_at,
        )  # fmt: skip

    def record_inbound(
        self,
        *,
        sid: str,
        phone: str,
        body: str,
        kind: str,
        interview_id: UUID | str | None = None,
        candidate_id: UUID | str | None = None,
        question_position: int | None = None,
        created_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Record a message we received (once per SID); returns the stored entry."""
        return self._record(
            "in", sid, phone, body, kind, interview_id, candidate_id, question_position, "received", None,
            created_at,
        )  # fmt: skip

    def _record(
        self,
        direction: Direction,
        sid: str,
        phone: str,
        body: str,
        kind: str,
        interview_id: UUID | str | None,
        candidate_id: UUID | str | None,
        question_position: int | None,
        status: str,
        error_code: str | int | None,
        created_at: datetime | None,
    ) -> dict[str, Any]:
        from azure.core import MatchConditions
        from azure.core.exceptions import ResourceExistsError, ResourceModifiedError
        from azure.data.tables import UpdateMode

        _check_sid(sid)
        moment = _aware(created_at)
        table = self._table()
        target = (partition_for(interview_id, phone), row_key(moment, sid))
        # Claim the SID first: the pointer insert is the lock that keeps a retried write from making a
        # second entry. A pointer that already names an entry means the message is recorded (or being).
        # The insert is tried before any read: almost always there is no pointer yet.
        claimed = False
        parked: dict[str, Any] = {}  # a status a callback left on the pointer before we claimed it
        try:
            table.create_entity(self._pointer_entity(sid, target))
            claimed = True
        except ResourceExistsError:
            pass
        for _ in range(0 if claimed else _MAX_RACE_RETRIES):
            pointer = self._pointer(sid)
            if pointer is None:
                parked = {}
                try:
                    table.create_entity(self._pointer_entity(sid, target))
                    break
                except ResourceExistsError:
                    continue
            parked = {name: pointer.get(name) for name in ("status", "error_code")}
            if pointer.get("target_pk"):
                target = (pointer["target_pk"], pointer["target_rk"])
                existing = self._get(target)
                if existing is not None and _is_entry(existing):
                    return _entry(existing)
                break  # not written yet (or only a callback's stub): write it where the pointer says
            try:  # a status callback came first and parked its status here
                table.update_entity(
                    self._pointer_entity(sid, target),
                    mode=UpdateMode.MERGE,
                    etag=pointer.metadata["etag"],
                    match_condition=MatchConditions.IfNotModified,
                )
                break
            except ResourceModifiedError:
                continue
        else:
            if not claimed:
                raise RuntimeError(f"could not record message {sid}: its pointer keeps changing")

        now = datetime.now(UTC)
        entity: dict[str, Any] = {
            "PartitionKey": target[0],
            "RowKey": target[1],
            "direction": direction,
            "sid": sid,
            "phone": phone,
            "body": body[:BODY_LIMIT],
            "status": status,
            "kind": kind,
            "created_at": moment,
            "updated_at": now,
        }
        if interview_id:
            entity["interview_id"] = str(interview_id)
        if candidate_id:
            entity["candidate_id"] = str(candidate_id)
        if question_position is not None:
            entity["question_position"] = int(question_position)
        if error_code not in (None, ""):
            entity["error_code"] = str(error_code)
        return self._write_entry(sid, _with_later_status(entity, parked))

    def _write_entry(self, sid: str, entity: dict[str, Any]) -> dict[str, Any]:
        """Insert a recorded message's entry. The insert is where a status callback and the recording meet:
        a callback that found the pointer but no entry left a stub here, so no re-read is needed after an
        insert that succeeds."""
        from azure.core import MatchConditions
        from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
        from azure.data.tables import UpdateMode

        table = self._table()
        for _ in range(_MAX_RACE_RETRIES):
            try:
                written = table.create_entity(entity)
                self._remember(sid, entity, (written or {}).get("etag"))
                return _entry(entity)
            except ResourceExistsError:
                pass
            existing = self._get((entity["PartitionKey"], entity["RowKey"]))
            if existing is None:  # erased meanwhile: insert again
                continue
            if _is_entry(existing):  # recorded by a concurrent attempt for the same SID
                return _entry(existing)
            full = _with_later_status(entity, existing)  # a callback's stub: keep its status if later
            try:
                written = table.update_entity(
                    full,
                    mode=UpdateMode.REPLACE,
                    etag=existing.metadata["etag"],
                    match_condition=MatchConditions.IfNotModified,
                )
            except (ResourceModifiedError, ResourceNotFoundError):
                continue
            self._remember(sid, full, (written or {}).get("etag"))
            return _entry(full)
        raise RuntimeError(f"could not record message {sid}: its entry keeps changing")

    def update_status(
        self, sid: str, status: str, error_code: str | int | None = None
    ) -> dict[str, Any] | None:
        """Apply a delivery status from Twilio; returns the entry, or None when the SID is not recorded yet.

        A status that does not move the message forward (a late "sent" after "delivered") is ignored and the
        entry is returned unchanged.
        """
        from azure.core import MatchConditions
        from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
        from azure.data.tables import UpdateMode

        _check_sid(sid)
        table = self._table()
        code = None if error_code in (None, "") else str(error_code)
        for _ in range(_MAX_RACE_RETRIES):
            known = self._written.get(sid)
            if known is not None and status_rank(status) > status_rank(known[0].get("status")):
                changes = self._status_change(known[0], status, code)
                try:
                    written = table.update_entity(
                        changes,
                        mode=UpdateMode.MERGE,
                        etag=known[1],
                        match_condition=MatchConditions.IfNotModified,
                    )
                except (ResourceModifiedError, ResourceNotFoundError):
                    self._forget(sid)  # changed or erased elsewhere: read it as any other SID
                    continue
                updated = {**known[0], **changes}
                self._remember(sid, updated, (written or {}).get("etag"))
                return _entry(updated)
            if known is not None:
                entity = self._get((known[0]["PartitionKey"], known[0]["RowKey"]))
                if entity is None:  # erased meanwhile: read the pointer as for any other SID
                    self._forget(sid)
                    continue
            else:
                pointer = self._pointer(sid)
                entity = self._entry_for(pointer)
            if entity is None and pointer is not None and pointer.get("target_pk"):
                # Being recorded right now (the SID is claimed, the entry not written yet): leave the status
                # on a stub where the entry goes; recording the message keeps it if it is later.
                stub = {"PartitionKey": pointer["target_pk"], "RowKey": pointer["target_rk"], "sid": sid,
                        "status": status, "updated_at": datetime.now(UTC)}  # fmt: skip
                if code:
                    stub["error_code"] = code
                try:
                    table.create_entity(stub)
                    return None
                except ResourceExistsError:
                    continue
            if entity is None:
                # Not recorded yet: park the status on the pointer; recording the message applies it.
                if pointer is not None and status_rank(status) <= status_rank(pointer.get("status")):
                    return None
                parked = {"PartitionKey": POINTER_PARTITION, "RowKey": sid, "status": status}
                if code:
                    parked["error_code"] = code
                try:
                    if pointer is None:
                        table.create_entity(parked)
                    else:
                        table.update_entity(
                            parked,
                            mode=UpdateMode.MERGE,
                            etag=pointer.metadata["etag"],
                            match_condition=MatchConditions.IfNotModified,
                        )
                    return None
                except (ResourceExistsError, ResourceModifiedError):
                    continue
            recorded = _is_entry(entity)  # else a stub: the message is being recorded
            if status_rank(status) <= status_rank(entity.get("status")):
                return _entry(entity) if recorded else None
            changes = self._status_change(entity, status, code)
            try:
                written = table.update_entity(
                    changes,
                    mode=UpdateMode.MERGE,
                    etag=entity.metadata["etag"],
                    match_condition=MatchConditions.IfNotModified,
                )
            except ResourceModifiedError:
                continue
            except ResourceNotFoundError:
                return None  # erased meanwhile
            if not recorded:
                return None
            updated = {**entity, **changes}
            self._remember(sid, updated, (written or {}).get("etag"))
            return _entry(updated)
        raise RuntimeError(f"could not update message {sid}: it keeps changing")

    @staticmethod
    def _status_change(entity: dict[str, Any], status: str, code: str | None) -> dict[str, Any]:
        changes: dict[str, Any] = {
            "PartitionKey": entity["PartitionKey"],
            "RowKey": entity["RowKey"],
            "status": status,
            "updated_at": datetime.now(UTC),
        }
        if code:
            changes["error_code"] = code
        return changes

    # -- reading ---------------------------------------------------------------------------------------

    def get(self, sid: str) -> dict[str, Any] | None:
        """The entry for a SID, or None."""
        entity = self._entry_for(self._pointer(_check_sid(sid)))
        return _entry(entity) if entity is not None and _is_entry(entity) else None

    def list_for_interview(self, interview_id: UUID | str) -> list[dict[str, Any]]:
        """Every message of one interview, oldest first."""
        return [_entry(e) for e in self._partition(str(UUID(str(interview_id)))) if _is_entry(e)]

    def list_for_phone(self, phone: str) -> list[dict[str, Any]]:
        """Messages of one number outside any interview, oldest first."""
        return [_entry(e) for e in self._partition(phone_partition(phone)) if _is_entry(e)]

    # -- erasing ---------------------------------------------------------------------------------------

    def erase_interview(self, interview_id: UUID | str) -> int:
        """Delete every message of one interview and their SID pointers; returns how many entries went."""
        return self.erase_partition(str(UUID(str(interview_id))))

    def erase_phone(self, phone: str) -> int:
        """Delete the number's messages outside interviews and their SID pointers."""
        return self.erase_partition(phone_partition(phone))

    def erase_partition(self, partition_key: str) -> int:
        """Delete one partition's entries and their pointers (pointers first: no dangling entry is left
        that a callback could still reach, and a retry after a failure finds the entries again)."""
        if partition_key == POINTER_PARTITION:
            raise ValueError("the pointer partition is not a conversation")
        table = self._table()
        entities = list(self._partition(partition_key, select=["PartitionKey", "RowKey", "sid"]))
        for entity in entities:
            if entity.get("sid"):
                table.delete_entity(POINTER_PARTITION, entity["sid"])
        for start in range(0, len(entities), 100):  # a transaction holds at most 100 operations
            batch = entities[start : start + 100]
            table.submit_transaction(
                [("delete", {"PartitionKey": e["PartitionKey"], "RowKey": e["RowKey"]}) for e in batch]
            )
        return len(entities)

    # -- internals -------------------------------------------------------------------------------------

    def _pointer_entity(self, sid: str, target: tuple[str, str]) -> dict[str, Any]:
        return {
            "PartitionKey": POINTER_PARTITION,
            "RowKey": sid,
            "target_pk": target[0],
            "target_rk": target[1],
        }

    def _pointer(self, sid: str) -> Any:
        return self._get((POINTER_PARTITION, sid))

    def _entry_for(self, pointer: Any) -> Any:
        if pointer is None or not pointer.get("target_pk"):
            return None
        return self._get((pointer["target_pk"], pointer["target_rk"]))

    def _get(self, keys: tuple[str, str]) -> Any:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return self._table().get_entity(keys[0], keys[1])
        except ResourceNotFoundError:
            return None

    def _partition(self, partition_key: str, select: list[str] | None = None) -> Any:
        return self._table().query_entities(
            "PartitionKey eq @pk", parameters={"pk": partition_key}, select=select
        )


def conversation_log(settings: Settings | None = None) -> ConversationLog:
    """The process-wide ConversationLog on the configured account and CONVERSATION_TABLE."""
    settings = settings or get_settings()
    account = storage.StorageAccount.from_settings(settings)
    return storage.per_process(
        ("conversation_log", account, settings.conversation_table),
        lambda: ConversationLog(storage.table_service_client(settings), settings.conversation_table),
    )
