"""A Service Bus stand-in persisted in PostgreSQL (schema `devhost_bus`), for local runs and tests.

Peek-lock semantics like Service Bus: a received message is locked, then completed, abandoned (delivered
again) or dead-lettered; an expired lock makes it deliverable again. The delivery count is the lock token:
once a message has been received again, the earlier receiver can no longer settle it (its complete, abandon
or dead-letter returns False, as Service Bus raises MessageLockLostError). A second send with the same
message id is dropped, like Service Bus duplicate detection. The app's local scoring-queue sender writes here and
devhost delivers to the serviceBusTrigger functions.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg2
import psycopg2.extras

from shared.db.pool import KeepAlivePool

_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS devhost_bus;
CREATE TABLE IF NOT EXISTS devhost_bus.messages (
    id bigserial PRIMARY KEY,
    queue text NOT NULL,
    message_id text NOT NULL,
    body bytea NOT NULL,
    content_type text,
    enqueued_at timestamptz NOT NULL DEFAULT now(),
    available_at timestamptz NOT NULL DEFAULT now(),
    delivery_count integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    completed_at timestamptz,
    dead_lettered_at timestamptz,
    dead_letter_reason text,
    UNIQUE (queue, message_id)
);
CREATE INDEX IF NOT EXISTS messages_ready ON devhost_bus.messages (queue, available_at, id)
    WHERE completed_at IS NULL AND dead_lettered_at IS NULL;
"""

_log = logging.getLogger(__name__)
_listeners: list[Callable[[str], None]] = []
_listeners_lock = threading.Lock()


def on_send(listener: Callable[[str], None]) -> Callable[[], None]:
    """Be told (in-process) when a message becomes deliverable (sent or resubmitted), so a consumer wakes at
    once instead of polling. Returns a function that stops the notifications (a stopped consumer's listener
    would otherwise outlive it)."""
    with _listeners_lock:
        _listeners.append(listener)

    def remove() -> None:
        with _listeners_lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return remove


def _notify(queue: str) -> None:
    with _listeners_lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(queue)
        except Exception:  # the message is stored: a broken wake-up must not fail the send
            _log.exception("local queue listener %r failed", listener)


@dataclass(frozen=True)
class QueuedMessage:
    id: int
    queue: str
    message_id: str
    body: bytes
    content_type: str | None
    enqueued_at: datetime
    delivery_count: int
    locked_until: datetime | None


class LocalQueue:
    _schema_ready: set[str] = set()
    _schema_lock = threading.Lock()

    def __init__(self, dsn: str, max_connections: int = 4) -> None:
        self._dsn = dsn
        self._pool = KeepAlivePool(max_connections, dsn)
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        with LocalQueue._schema_lock:
            if self._dsn in LocalQueue._schema_ready:
                return
            conn = psycopg2.connect(self._dsn)
            try:
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_advisory_lock(727002)")
                    cur.execute(_SCHEMA)
                    cur.execute("SELECT pg_advisory_unlock(727002)")
            finally:
                conn.close()
            LocalQueue._schema_ready.add(self._dsn)

    def _run(self, query: str, params: tuple = (), fetch: str | None = None) -> Any:
        conn = self._pool.getconn()
        broken = False
        try:
            with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                cur.execute(query, params)
                result = (
                    cur.fetchone() if fetch == "one" else cur.fetchall() if fetch == "all" else cur.rowcount
                )
            conn.commit()
            return result
        except psycopg2.OperationalError:
            broken = True
            raise
        except Exception:
            conn.rollback()
            raise
        finally:
            self._pool.putconn(conn, close=broken)

    def close(self) -> None:
        self._pool.closeall()

    def send(self, queue: str, body: bytes | str, message_id: str, content_type: str | None = None) -> bool:
        """Enqueue; False when a message with this id was sent before (duplicate detection)."""
        data = body.encode() if isinstance(body, str) else body
        inserted = self._run(
            "INSERT INTO devhost_bus.messages (queue, message_id, body, content_type) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (queue, message_id) DO NOTHING",
            (queue, message_id, psycopg2.Binary(data), content_type),
        )
        if inserted:
            _notify(queue)
        return bool(inserted)

    def receive(self, queue: str, lock_seconds: float = 60.0) -> QueuedMessage | None:
        row = self._run(
            """UPDATE devhost_bus.messages SET locked_until = now() + make_interval(secs => %s),
                      delivery_count = delivery_count + 1
               WHERE id = (SELECT id FROM devhost_bus.messages
                           WHERE queue = %s AND completed_at IS NULL AND dead_lettered_at IS NULL
                             AND available_at <= now() AND (locked_until IS NULL OR locked_until < now())
                           ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
               RETURNING id, queue, message_id, body, content_type, enqueued_at, delivery_count, locked_until""",
            (lock_seconds, queue),
            fetch="one",
        )
        if row is None:
            return None
        return QueuedMessage(**{**row, "body": bytes(row["body"])})

    def complete(self, message: QueuedMessage) -> bool:
        """Settle as done; False when the lock was lost (the message was received again since)."""
        return bool(
            self._run(
                "UPDATE devhost_bus.messages SET completed_at = now(), locked_until = NULL "
                "WHERE id = %s AND delivery_count = %s AND completed_at IS NULL AND dead_lettered_at IS NULL",
                (message.id, message.delivery_count),
            )
        )

    def abandon(self, message: QueuedMessage, retry_after_seconds: float = 0.0) -> bool:
        """Release for another delivery after `retry_after_seconds`; False when the lock was lost."""
        return bool(
            self._run(
                "UPDATE devhost_bus.messages SET locked_until = NULL, available_at = now() + make_interval(secs => %s) "
                "WHERE id = %s AND delivery_count = %s AND completed_at IS NULL AND dead_lettered_at IS NULL",
                (retry_after_seconds, message.id, message.delivery_count),
            )
        )

    def dead_letter(self, message: QueuedMessage, reason: str) -> bool:
        """Move to the dead letters with `reason`; False when the lock was lost."""
        return bool(
            self._run(
                "UPDATE devhost_bus.messages SET dead_lettered_at = now(), dead_letter_reason = %s, locked_until = NULL "
                "WHERE id = %s AND delivery_count = %s AND completed_at IS NULL AND dead_lettered_at IS NULL",
                (reason[:2000], message.id, message.delivery_count),
            )
        )

    def next_available_in(self, queue: str) -> float | None:
        """Seconds until the next message becomes deliverable (0 if one is ready), None if none is pending."""
        row = self._run(
            """SELECT extract(epoch FROM min(greatest(available_at, coalesce(locked_until, available_at))) - now())
                      AS wait
               FROM devhost_bus.messages WHERE queue = %s AND completed_at IS NULL AND dead_lettered_at IS NULL""",
            (queue,),
            fetch="one",
        )
        return None if row is None or row["wait"] is None else max(0.0, float(row["wait"]))

    def depth(self, queue: str) -> int:
        row = self._run(
            "SELECT count(*) AS n FROM devhost_bus.messages WHERE queue = %s AND completed_at IS NULL "
            "AND dead_lettered_at IS NULL",
            (queue,),
            fetch="one",
        )
        return int(row["n"])

    def dead_letters(self, queue: str) -> list[dict[str, Any]]:
        return self._run(
            "SELECT id, message_id, delivery_count, enqueued_at, dead_lettered_at, dead_letter_reason "
            "FROM devhost_bus.messages WHERE queue = %s AND dead_lettered_at IS NOT NULL ORDER BY id",
            (queue,),
            fetch="all",
        )

    def queues(self) -> list[str]:
        return [r["queue"] for r in self._run("SELECT DISTINCT queue FROM devhost_bus.messages", fetch="all")]

    def resubmit_dead_letter(self, queue: str, message_row_id: int) -> bool:
        """Replay a dead-lettered message: deliverable again with a fresh delivery count."""
        updated = self._run(
            "UPDATE devhost_bus.messages SET dead_lettered_at = NULL, dead_letter_reason = NULL, delivery_count = 0, "
            "available_at = now(), locked_until = NULL WHERE queue = %s AND id = %s AND dead_lettered_at IS NOT NULL",
            (queue, message_row_id),
        )
        if updated:
            _notify(queue)
        return bool(updated)
