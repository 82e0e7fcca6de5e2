"""The audit trail of recruiter and admin actions, in Table Storage (table `auditlog` by default).

PartitionKey = the month (`yyyy-mm`, UTC) so one partition never grows without bound; RowKey = an inverted
millisecond timestamp + an entry id, so a partition reads newest first. Entries say who (an actor such as
`token:<id>`, never a secret), what (`candidate.erased`, `job.created`, ...), to which object (type and id)
and when; `details` is a small JSON object that must carry no personal data: the trail outlives erasures.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.adapters import storage
from shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from azure.data.tables import TableClient, TableServiceClient

_INVERT_FROM = 10**13 - 1  # 13 digits of epoch milliseconds last until the year 2286
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
DETAILS_LIMIT = 8_000  # characters of JSON


def month_partition(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def _previous_month(partition: str) -> str:
    year, month = (int(part) for part in partition.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def _entry(entity: dict[str, Any]) -> dict[str, Any]:
    at = entity.get("at")
    return {
        "id": entity["RowKey"].partition("-")[2],
        "actor": entity.get("actor"),
        "action": entity.get("action"),
        "target_type": entity.get("target_type"),
        "target_id": entity.get("target_id"),
        "at": datetime.fromtimestamp(at.timestamp(), UTC) if isinstance(at, datetime) else at,
        "details": json.loads(entity["details"]) if entity.get("details") else {},
    }


class AuditLog:
    def __init__(self, service: TableServiceClient, table_name: str = "auditlog") -> None:
        self._service = service
        self._table_name = table_name

    def _table(self) -> TableClient:
        return storage.table_client(self._service, self._table_name)

    def record(
        self,
        actor: str,
        action: str,
        target_type: str,
        target_id: str | uuid.UUID,
        details: dict[str, Any] | None = None,
        *,
        at: datetime | None = None,
        entry_id: str | uuid.UUID | None = None,
    ) -> dict[str, Any]:
        """Append one entry; returns it. Pass `entry_id` (and `at`) to make a retried write idempotent."""
        if not _ACTION.match(action):
            raise ValueError("action must look like 'noun.verb', e.g. 'candidate.erased'")
        if not actor or not target_type:
            raise ValueError("actor and target_type are required")
        details_json = json.dumps(details or {}, sort_keys=True, default=str)
        if len(details_json) > DETAILS_LIMIT:
            raise ValueError(f"details are limited to {DETAILS_LIMIT} characters of JSON")
        if at is not None and at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        moment = (at or datetime.now(UTC)).astimezone(UTC)
        entry = uuid.UUID(str(entry_id)).hex if entry_id else uuid.uuid4().hex
        inverted = _INVERT_FROM - int(moment.timestamp() * 1000)
        entity = {
            "PartitionKey": month_partition(moment),
            "RowKey": f"{inverted:013d}-{entry}",
            "actor": actor,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "at": moment,
            "details": details_json,
        }
        from azure.data.tables import UpdateMode

        self._table().upsert_entity(entity, mode=UpdateMode.REPLACE)
        return _entry(entity)

    def recent(
        self, limit: int = 50, *, months: int = 12, now: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The newest `limit` entries, looking back at most `months` months (one query per month)."""
        if limit < 1:
            return []
        entries: list[dict[str, Any]] = []
        partition = month_partition(now or datetime.now(UTC))
        table = self._table()
        for _ in range(months):
            pages = table.query_entities(
                "PartitionKey eq @pk", parameters={"pk": partition}, results_per_page=min(limit, 1000)
            )
            for entity in pages:
                entries.append(_entry(entity))
                if len(entries) >= limit:
                    return entries
            partition = _previous_month(partition)
        return entries


def audit_log(settings: Settings | None = None) -> AuditLog:
    """The process-wide AuditLog on the configured account and AUDIT_TABLE."""
    settings = settings or get_settings()
    account = storage.StorageAccount.from_settings(settings)
    return storage.per_process(
        ("audit_log", account, settings.audit_table),
        lambda: AuditLog(storage.table_service_client(settings), settings.audit_table),
    )
