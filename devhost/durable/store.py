"""The task hub's durable state in PostgreSQL, schema `devhost_durable` (devhost's own; not an app migration).

Tables, all keyed by the hub name first so several hubs can share a database:
- instances: one row per orchestration instance (status, input, output, custom status, the current
  execution id, and a version bumped by every change, which guards against lost updates);
- history: the current execution's events in order (DTFx-shaped JSON), each with host-only metadata;
- messages: the instance's work queue (start, events raised, activity results, timer fires, terminate);
- activities: activities scheduled and not yet completed (a row survives a crash: the activity runs again);
- timers: durable timers (fire_at, fired).

Every state change of an orchestration episode is written in one transaction (`commit_episode`), as are an
activity's completion (its row deleted + its result queued) and a timer's firing (flagged fired + queued),
so a crash between any two statements loses nothing and duplicates nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg2
import psycopg2.extras
import psycopg2.pool

from devhost.durable.errors import InstanceExists, InstanceGone, InstanceNotFound, InstanceNotTerminal
from devhost.durable.protocol import EventType, format_timestamp, new_event

SCHEMA = "devhost_durable"
RUNNING_STATES = ("Pending", "Running", "ContinuedAsNew")
TERMINAL_STATES = ("Completed", "Failed", "Terminated")

_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};

CREATE TABLE IF NOT EXISTS {SCHEMA}.instances (
    hub             text NOT NULL,
    instance_id     text NOT NULL,
    name            text NOT NULL,
    execution_id    text NOT NULL,
    status          text NOT NULL CHECK (status IN
                        ('Pending', 'Running', 'Completed', 'Failed', 'Terminated', 'ContinuedAsNew')),
    input           text,
    output          text,
    custom_status   text,
    created_at      timestamptz NOT NULL,
    last_updated_at timestamptz NOT NULL,
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (hub, instance_id)
);
CREATE INDEX IF NOT EXISTS instances_by_status ON {SCHEMA}.instances (hub, status);

CREATE TABLE IF NOT EXISTS {SCHEMA}.history (
    hub         text NOT NULL,
    instance_id text NOT NULL,
    position    integer NOT NULL,
    event       json NOT NULL,
    meta        json,
    PRIMARY KEY (hub, instance_id, position),
    FOREIGN KEY (hub, instance_id) REFERENCES {SCHEMA}.instances ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS {SCHEMA}.messages (
    id           bigserial PRIMARY KEY,
    hub          text NOT NULL,
    instance_id  text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('start', 'event', 'activity', 'timer', 'terminate')),
    execution_id text,
    payload      json NOT NULL,
    created_at   timestamptz NOT NULL,
    FOREIGN KEY (hub, instance_id) REFERENCES {SCHEMA}.instances ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS messages_by_instance ON {SCHEMA}.messages (hub, instance_id, id);

CREATE TABLE IF NOT EXISTS {SCHEMA}.activities (
    hub          text NOT NULL,
    instance_id  text NOT NULL,
    execution_id text NOT NULL,
    task_id      integer NOT NULL,
    name         text NOT NULL,
    input        text,
    scheduled_at timestamptz NOT NULL,
    PRIMARY KEY (hub, instance_id, execution_id, task_id),
    FOREIGN KEY (hub, instance_id) REFERENCES {SCHEMA}.instances ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS {SCHEMA}.timers (
    hub          text NOT NULL,
    instance_id  text NOT NULL,
    execution_id text NOT NULL,
    timer_id     integer NOT NULL,
    fire_at      timestamptz NOT NULL,
    fired        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (hub, instance_id, execution_id, timer_id),
    FOREIGN KEY (hub, instance_id) REFERENCES {SCHEMA}.instances ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS timers_due ON {SCHEMA}.timers (hub, fire_at) WHERE NOT fired;
"""

_INSTANCE_COLUMNS = "instance_id, name, execution_id, status, input, output, custom_status, created_at, last_updated_at, version"


@dataclass
class InstanceRow:
    instance_id: str
    name: str
    execution_id: str
    status: str
    input: str | None
    output: str | None
    custom_status: str | None
    created_at: datetime
    last_updated_at: datetime
    version: int


@dataclass
class MessageRow:
    id: int
    kind: str
    execution_id: str | None
    payload: dict[str, Any]


@dataclass
class ActivityRow:
    instance_id: str
    execution_id: str
    task_id: int
    name: str
    input: str | None


@dataclass
class TimerRow:
    instance_id: str
    execution_id: str
    timer_id: int
    fire_at: datetime


@dataclass
class EpisodeWrite:
    """Everything one orchestration episode changes, committed together or not at all."""

    instance_id: str
    expected_version: int
    execution_id: str
    status: str
    custom_status: str | None
    now: datetime
    first_position: int
    new_events: list[tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=list)
    output: str | None = None
    consumed_message_ids: list[int] = field(default_factory=list)
    new_activities: list[ActivityRow] = field(default_factory=list)
    new_timers: list[TimerRow] = field(default_factory=list)
    cancelled_timer_ids: list[int] = field(default_factory=list)
    finished: bool = False  # completed, failed or terminated: outstanding activities and timers are dropped
    continue_as_new: tuple[str, str | None] | None = None  # (new execution id, new input JSON)


class _BoundedPool:
    """A psycopg2 pool whose callers wait for a free connection instead of failing when all are in use."""

    def __init__(self, dsn: str, max_connections: int) -> None:
        self._dsn = dsn
        self._max_connections = max_connections
        self._lock = threading.Lock()
        self._pool: psycopg2.pool.ThreadedConnectionPool | None = None
        self._closed = False
        self._slots = threading.BoundedSemaphore(max_connections)

    def _get_pool(self) -> psycopg2.pool.ThreadedConnectionPool:
        with self._lock:
            if self._closed:
                raise psycopg2.InterfaceError(
                    "the task hub's connection pool is closed (the hub was stopped)"
                )
            if self._pool is None:  # connections are opened on first use
                self._pool = psycopg2.pool.ThreadedConnectionPool(0, self._max_connections, dsn=self._dsn)
            return self._pool

    def open(self) -> None:
        with self._lock:
            self._closed = False

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        self._slots.acquire()
        try:
            pool = self._get_pool()
            conn = pool.getconn()
            broken = False
            try:
                with conn.cursor() as cur:
                    yield cur
                conn.commit()
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                broken = True
                raise
            except BaseException:
                try:
                    conn.rollback()
                except (psycopg2.OperationalError, psycopg2.InterfaceError):
                    broken = True
                raise
            finally:
                pool.putconn(conn, close=broken or conn.closed != 0)
        finally:
            self._slots.release()

    def close(self) -> None:
        """Close every connection; later calls fail until open() (a stopped hub must not write)."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._closed = True
        if pool is not None:
            pool.closeall()


class _VersionConflict(Exception):
    pass


class TaskHubStore:
    """SQL for one task hub; every public method is one transaction."""

    def __init__(self, dsn: str, hub: str, max_connections: int = 12) -> None:
        self.hub = hub
        self._db = _BoundedPool(dsn, max_connections)

    def open(self) -> None:
        self._db.open()

    def close(self) -> None:
        self._db.close()

    def ensure_schema(self) -> None:
        """Create the schema and tables if missing; safe to call from several processes at once."""
        with self._db.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{SCHEMA}.schema",))
            cur.execute(_DDL)

    # -- instances -------------------------------------------------------------------------------------

    def create_instance(
        self, instance_id: str, name: str, input_json: str | None, execution_id: str, now: datetime
    ) -> None:
        """Create (or restart a finished) instance in Pending and queue its start; InstanceExists if running."""
        with self._db.cursor() as cur:
            cur.execute(
                f"SELECT status, version FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s FOR UPDATE",
                (self.hub, instance_id),
            )
            existing = cur.fetchone()
            version = 0
            if existing is not None:
                if existing[0] in RUNNING_STATES:
                    raise InstanceExists(
                        f"an instance with ID '{instance_id}' is already {existing[0].lower()}"
                    )
                version = existing[1] + 1  # never reuse a version a cache may still hold
                cur.execute(
                    f"DELETE FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s",
                    (self.hub, instance_id),
                )
            cur.execute(
                f"INSERT INTO {SCHEMA}.instances (hub, instance_id, name, execution_id, status, input, "
                "created_at, last_updated_at, version) VALUES (%s, %s, %s, %s, 'Pending', %s, %s, %s, %s)",
                (self.hub, instance_id, name, execution_id, input_json, now, now, version),
            )
            self._insert_message(cur, instance_id, "start", execution_id, {}, now)

    def add_message(
        self,
        instance_id: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        execution_id: str | None = None,
    ) -> None:
        """Queue a message for a pending or running instance: InstanceNotFound / InstanceGone otherwise."""
        with self._db.cursor() as cur:
            cur.execute(
                f"SELECT status FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s",
                (self.hub, instance_id),
            )
            row = cur.fetchone()
            if row is None:
                raise InstanceNotFound(f"no instance with ID '{instance_id}'")
            if row[0] in TERMINAL_STATES:
                raise InstanceGone(f"instance '{instance_id}' is {row[0].lower()}")
            self._insert_message(cur, instance_id, kind, execution_id, payload, now)

    def load_instance(self, instance_id: str) -> InstanceRow | None:
        with self._db.cursor() as cur:
            cur.execute(
                f"SELECT {_INSTANCE_COLUMNS} FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s",
                (self.hub, instance_id),
            )
            row = cur.fetchone()
        return InstanceRow(*row) if row else None

    def list_instances(
        self,
        statuses: Iterable[str] | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        instance_id_prefix: str | None = None,
        limit: int | None = None,
    ) -> list[InstanceRow]:
        clauses, params = ["hub = %s"], [self.hub]
        if statuses:
            clauses.append("status = ANY(%s)")
            params.append(list(statuses))
        if created_from is not None:
            clauses.append("created_at >= %s")
            params.append(created_from)
        if created_to is not None:
            clauses.append("created_at <= %s")
            params.append(created_to)
        if instance_id_prefix:
            clauses.append("starts_with(instance_id, %s)")
            params.append(instance_id_prefix)
        query = (
            f"SELECT {_INSTANCE_COLUMNS} FROM {SCHEMA}.instances WHERE {' AND '.join(clauses)} "
            "ORDER BY created_at, instance_id"
        )
        if limit is not None:
            query += " LIMIT %s"
            params.append(limit)
        with self._db.cursor() as cur:
            cur.execute(query, params)
            return [InstanceRow(*row) for row in cur.fetchall()]

    def purge(self, instance_id: str) -> bool:
        """Delete a finished instance and its history; False if there is none, InstanceNotTerminal if running."""
        with self._db.cursor() as cur:
            cur.execute(
                f"SELECT status FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s FOR UPDATE",
                (self.hub, instance_id),
            )
            row = cur.fetchone()
            if row is None:
                return False
            if row[0] not in TERMINAL_STATES:
                raise InstanceNotTerminal(
                    f"instance '{instance_id}' is {row[0].lower()}; only finished ones purge"
                )
            cur.execute(
                f"DELETE FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s", (self.hub, instance_id)
            )
            return True

    # -- episodes --------------------------------------------------------------------------------------

    def load_messages(self, instance_id: str, limit: int) -> list[MessageRow]:
        with self._db.cursor() as cur:
            cur.execute(
                f"SELECT id, kind, execution_id, payload FROM {SCHEMA}.messages "
                "WHERE hub = %s AND instance_id = %s ORDER BY id LIMIT %s",
                (self.hub, instance_id, limit),
            )
            return [MessageRow(*row) for row in cur.fetchall()]

    def load_history(self, instance_id: str) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        with self._db.cursor() as cur:
            cur.execute(
                f"SELECT event, meta FROM {SCHEMA}.history WHERE hub = %s AND instance_id = %s ORDER BY position",
                (self.hub, instance_id),
            )
            return [(event, meta) for event, meta in cur.fetchall()]

    def discard_messages(self, message_ids: list[int]) -> None:
        with self._db.cursor() as cur:
            cur.execute(
                f"DELETE FROM {SCHEMA}.messages WHERE hub = %s AND id = ANY(%s)", (self.hub, message_ids)
            )

    def commit_episode(self, write: EpisodeWrite) -> int | None:
        """Apply one episode atomically; returns the instance's new version, or None if another writer
        changed the instance since it was read (nothing is written then)."""
        try:
            with self._db.cursor() as cur:
                return self._write_episode(cur, write)
        except _VersionConflict:
            return None

    def _write_episode(self, cur: Any, write: EpisodeWrite) -> int:
        hub, instance_id = self.hub, write.instance_id
        assignments = "status = %s, custom_status = %s, last_updated_at = %s, version = version + 1"
        params: list[Any] = [write.status, write.custom_status, write.now]
        if write.finished:
            assignments += ", output = %s"
            params.append(write.output)
        if write.continue_as_new is not None:
            assignments += ", execution_id = %s, input = %s, output = NULL"
            params.extend(write.continue_as_new)
        cur.execute(
            f"UPDATE {SCHEMA}.instances SET {assignments} "
            "WHERE hub = %s AND instance_id = %s AND version = %s RETURNING version",
            (*params, hub, instance_id, write.expected_version),
        )
        row = cur.fetchone()
        if row is None:
            raise _VersionConflict()
        if write.consumed_message_ids:
            cur.execute(
                f"DELETE FROM {SCHEMA}.messages WHERE hub = %s AND id = ANY(%s)",
                (hub, write.consumed_message_ids),
            )
        if write.finished or write.continue_as_new is not None:
            # Results of activities still running are dropped when they arrive (no row to complete).
            cur.execute(
                f"DELETE FROM {SCHEMA}.activities WHERE hub = %s AND instance_id = %s", (hub, instance_id)
            )
            cur.execute(
                f"DELETE FROM {SCHEMA}.timers WHERE hub = %s AND instance_id = %s", (hub, instance_id)
            )
        if write.continue_as_new is not None:
            new_execution_id, _ = write.continue_as_new
            cur.execute(
                f"DELETE FROM {SCHEMA}.history WHERE hub = %s AND instance_id = %s", (hub, instance_id)
            )
            self._insert_message(cur, instance_id, "start", new_execution_id, {}, write.now)
            return row[0]
        if write.new_events:
            psycopg2.extras.execute_values(
                cur,
                f"INSERT INTO {SCHEMA}.history (hub, instance_id, position, event, meta) VALUES %s",
                [
                    (hub, instance_id, write.first_position + offset, json.dumps(event), _json_or_none(meta))
                    for offset, (event, meta) in enumerate(write.new_events)
                ],
            )
        if write.finished:
            return row[0]
        if write.new_activities:
            psycopg2.extras.execute_values(
                cur,
                f"INSERT INTO {SCHEMA}.activities (hub, instance_id, execution_id, task_id, name, input, "
                "scheduled_at) VALUES %s ON CONFLICT DO NOTHING",
                [
                    (hub, a.instance_id, a.execution_id, a.task_id, a.name, a.input, write.now)
                    for a in write.new_activities
                ],
            )
        if write.new_timers:
            psycopg2.extras.execute_values(
                cur,
                f"INSERT INTO {SCHEMA}.timers (hub, instance_id, execution_id, timer_id, fire_at) VALUES %s "
                "ON CONFLICT DO NOTHING",
                [(hub, t.instance_id, t.execution_id, t.timer_id, t.fire_at) for t in write.new_timers],
            )
        if write.cancelled_timer_ids:
            cur.execute(
                f"DELETE FROM {SCHEMA}.timers WHERE hub = %s AND instance_id = %s AND execution_id = %s "
                "AND timer_id = ANY(%s) AND NOT fired",
                (hub, instance_id, write.execution_id, write.cancelled_timer_ids),
            )
        return row[0]

    # -- activities and timers -------------------------------------------------------------------------

    def complete_activity(self, activity: ActivityRow, result_event: dict[str, Any], now: datetime) -> bool:
        """Record an activity's outcome: its row goes, its result is queued. False if the row was already gone
        (the instance finished, was restarted, or another run of this activity already completed it)."""
        with self._db.cursor() as cur:
            cur.execute(
                f"DELETE FROM {SCHEMA}.activities WHERE hub = %s AND instance_id = %s AND execution_id = %s "
                "AND task_id = %s RETURNING 1",
                (self.hub, activity.instance_id, activity.execution_id, activity.task_id),
            )
            if cur.fetchone() is None:
                return False
            self._insert_message(
                cur, activity.instance_id, "activity", activity.execution_id, result_event, now
            )
            return True

    def fire_due_timers(self, now: datetime, limit: int = 500) -> list[TimerRow]:
        """Flag up to `limit` due timers as fired and queue a TimerFired for each, in one transaction."""
        with self._db.cursor() as cur:
            cur.execute(
                f"UPDATE {SCHEMA}.timers SET fired = true "
                f"WHERE (hub, instance_id, execution_id, timer_id) IN ("
                f"  SELECT hub, instance_id, execution_id, timer_id FROM {SCHEMA}.timers "
                "   WHERE hub = %s AND NOT fired AND fire_at <= %s ORDER BY fire_at LIMIT %s FOR UPDATE SKIP LOCKED"
                ") RETURNING instance_id, execution_id, timer_id, fire_at",
                (self.hub, now, limit),
            )
            fired = [TimerRow(*row) for row in cur.fetchall()]
            if fired:
                psycopg2.extras.execute_values(
                    cur,
                    f"INSERT INTO {SCHEMA}.messages (hub, instance_id, kind, execution_id, payload, created_at) "
                    "VALUES %s",
                    [
                        (
                            self.hub,
                            timer.instance_id,
                            "timer",
                            timer.execution_id,
                            json.dumps(
                                new_event(
                                    EventType.TIMER_FIRED,
                                    now,
                                    TimerId=timer.timer_id,
                                    FireAt=format_timestamp(timer.fire_at),
                                )
                            ),
                            now,
                        )
                        for timer in fired
                    ],
                )
            return fired

    # -- recovery after a restart ----------------------------------------------------------------------

    def instances_with_messages(self) -> list[str]:
        with self._db.cursor() as cur:
            cur.execute(
                f"SELECT instance_id FROM {SCHEMA}.messages WHERE hub = %s GROUP BY instance_id ORDER BY min(id)",
                (self.hub,),
            )
            return [row[0] for row in cur.fetchall()]

    def pending_activities(self) -> list[ActivityRow]:
        with self._db.cursor() as cur:
            cur.execute(
                f"SELECT instance_id, execution_id, task_id, name, input FROM {SCHEMA}.activities "
                "WHERE hub = %s ORDER BY scheduled_at",
                (self.hub,),
            )
            return [ActivityRow(*row) for row in cur.fetchall()]

    def pending_timers(self) -> list[TimerRow]:
        with self._db.cursor() as cur:
            cur.execute(
                f"SELECT instance_id, execution_id, timer_id, fire_at FROM {SCHEMA}.timers "
                "WHERE hub = %s AND NOT fired",
                (self.hub,),
            )
            return [TimerRow(*row) for row in cur.fetchall()]

    def _insert_message(
        self,
        cur: Any,
        instance_id: str,
        kind: str,
        execution_id: str | None,
        payload: dict[str, Any],
        now: datetime,
    ) -> None:
        cur.execute(
            f"INSERT INTO {SCHEMA}.messages (hub, instance_id, kind, execution_id, payload, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (self.hub, instance_id, kind, execution_id, json.dumps(payload), now),
        )


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value)
