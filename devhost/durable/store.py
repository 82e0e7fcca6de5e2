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
so a crash between any two statements loses nothing and duplicates nothing. The hot paths are one or two
round trips each (an event, an activity result) so that hundreds of instances can move at once.
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
import psycopg2.extensions

from devhost.durable.errors import InstanceExists, InstanceGone, InstanceNotFound, InstanceNotTerminal
from devhost.durable.protocol import EventType, format_timestamp, new_event
from shared.db import server_hung_up

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


class _ConnectionPool:
    """Up to `max_connections` autocommit connections, opened on first use and kept between uses.

    (psycopg2's own pools close every returned connection beyond `minconn`, and a `minconn` above zero
    connects eagerly; a new backend per transaction costs ~20 ms, far more than the work done here.)
    Connections are in autocommit mode so a read is one round trip; a write transaction sends its
    statements as one batch starting with BEGIN, then COMMIT or ROLLBACK. Callers wait for a free
    connection instead of failing when all are in use."""

    def __init__(self, dsn: str, max_connections: int) -> None:
        self._dsn = dsn
        self._lock = threading.Lock()
        self._idle: list[Any] = []
        self._closed = False
        self._slots = threading.BoundedSemaphore(max_connections)

    @contextmanager
    def session(self) -> Iterator[Any]:
        """A cursor on an autocommit connection; a transaction left open by an error is rolled back."""
        self._slots.acquire()
        try:
            conn = self._take()
            broken = False
            try:
                with conn.cursor() as cur:
                    yield cur
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                broken = True
                raise
            finally:
                if not broken and conn.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                    try:
                        conn.cursor().execute("ROLLBACK")
                    except psycopg2.Error:
                        broken = True
                self._give_back(conn, broken)
        finally:
            self._slots.release()

    def _take(self) -> Any:
        with self._lock:
            if self._closed:
                raise psycopg2.InterfaceError(
                    "the task hub's connection pool is closed (the hub was stopped)"
                )
            while self._idle:
                conn = self._idle.pop()
                if not server_hung_up(conn):
                    return conn
                conn.close()  # the server restarted since this connection was last used
        conn = psycopg2.connect(self._dsn)
        conn.autocommit = True
        return conn

    def _give_back(self, conn: Any, broken: bool) -> None:
        with self._lock:
            if not (broken or conn.closed or self._closed):
                self._idle.append(conn)
                return
        if not conn.closed:
            conn.close()

    def open(self) -> None:
        with self._lock:
            self._closed = False

    def close(self) -> None:
        """Close every connection; later calls fail until open() (a stopped hub must not write)."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._closed = True
        for conn in idle:
            conn.close()


class TaskHubStore:
    """SQL for one task hub; every public method is one transaction (most of them one round trip)."""

    def __init__(self, dsn: str, hub: str, max_connections: int = 12) -> None:
        self.hub = hub
        self._db = _ConnectionPool(dsn, max_connections)

    def open(self) -> None:
        self._db.open()

    def close(self) -> None:
        self._db.close()

    def ensure_schema(self) -> None:
        """Create the schema and tables if missing; safe to call from several processes at once."""
        with self._db.session() as cur:
            lock = cur.mogrify("SELECT pg_advisory_xact_lock(hashtext(%s));", (f"{SCHEMA}.schema",)).decode()
            cur.execute(f"BEGIN; {lock} {_DDL} COMMIT;")

    # -- instances -------------------------------------------------------------------------------------

    def create_instance(
        self, instance_id: str, name: str, input_json: str | None, execution_id: str, now: datetime
    ) -> None:
        """Create (or restart a finished) instance in Pending and queue its start; InstanceExists if running."""
        with self._db.session() as cur:
            cur.execute(
                f"BEGIN; SELECT status, version FROM {SCHEMA}.instances "
                "WHERE hub = %s AND instance_id = %s FOR UPDATE",
                (self.hub, instance_id),
            )
            existing = cur.fetchone()
            version = 0
            statements = []
            if existing is not None:
                if existing[0] in RUNNING_STATES:
                    raise InstanceExists(
                        f"an instance with ID '{instance_id}' is already {existing[0].lower()}"
                    )
                version = existing[1] + 1  # never reuse a version a cache may still hold
                statements.append(
                    cur.mogrify(
                        f"DELETE FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s",
                        (self.hub, instance_id),
                    )
                )
            statements.append(
                cur.mogrify(
                    f"INSERT INTO {SCHEMA}.instances (hub, instance_id, name, execution_id, status, input, "
                    "created_at, last_updated_at, version) VALUES (%s, %s, %s, %s, 'Pending', %s, %s, %s, %s)",
                    (self.hub, instance_id, name, execution_id, input_json, now, now, version),
                )
            )
            statements.append(self._message_sql(cur, instance_id, "start", execution_id, {}, now))
            cur.execute(b";".join(statements) + b"; COMMIT")

    def add_message(
        self,
        instance_id: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        execution_id: str | None = None,
    ) -> None:
        """Queue a message for a pending or running instance: InstanceNotFound / InstanceGone otherwise."""
        with self._db.session() as cur:
            cur.execute(
                f"WITH target AS (SELECT status FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s), "
                f"queued AS (INSERT INTO {SCHEMA}.messages (hub, instance_id, kind, execution_id, payload, created_at) "
                "  SELECT %s, %s, %s, %s, %s, %s FROM target WHERE status <> ALL(%s) RETURNING id) "
                "SELECT (SELECT status FROM target), (SELECT id FROM queued)",
                (
                    self.hub,
                    instance_id,
                    self.hub,
                    instance_id,
                    kind,
                    execution_id,
                    json.dumps(payload),
                    now,
                    list(TERMINAL_STATES),
                ),
            )
            status, message_id = cur.fetchone()
        if status is None:
            raise InstanceNotFound(f"no instance with ID '{instance_id}'")
        if message_id is None:
            raise InstanceGone(f"instance '{instance_id}' is {status.lower()}")

    def load_instance(self, instance_id: str) -> InstanceRow | None:
        with self._db.session() as cur:
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
        with self._db.session() as cur:
            cur.execute(query, params)
            return [InstanceRow(*row) for row in cur.fetchall()]

    def purge(self, instance_id: str) -> bool:
        """Delete a finished instance and its history; False if there is none, InstanceNotTerminal if running."""
        with self._db.session() as cur:
            cur.execute(
                f"WITH target AS (SELECT status FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s), "
                f"purged AS (DELETE FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s "
                "  AND status = ANY(%s) RETURNING 1) "
                "SELECT (SELECT status FROM target), EXISTS (SELECT 1 FROM purged)",
                (self.hub, instance_id, self.hub, instance_id, list(TERMINAL_STATES)),
            )
            status, purged = cur.fetchone()
        if status is not None and not purged:
            raise InstanceNotTerminal(
                f"instance '{instance_id}' is {status.lower()}; only finished ones purge"
            )
        return bool(purged)

    # -- episodes --------------------------------------------------------------------------------------

    def load_messages(self, instance_id: str, limit: int) -> list[MessageRow]:
        with self._db.session() as cur:
            cur.execute(
                f"SELECT id, kind, execution_id, payload FROM {SCHEMA}.messages "
                "WHERE hub = %s AND instance_id = %s ORDER BY id LIMIT %s",
                (self.hub, instance_id, limit),
            )
            return [MessageRow(*row) for row in cur.fetchall()]

    def load_history(self, instance_id: str) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        with self._db.session() as cur:
            cur.execute(
                f"SELECT event, meta FROM {SCHEMA}.history WHERE hub = %s AND instance_id = %s ORDER BY position",
                (self.hub, instance_id),
            )
            return [(event, meta) for event, meta in cur.fetchall()]

    def discard_messages(self, instance_id: str, expected_version: int, message_ids: list[int]) -> bool:
        """Drop messages an episode will not use, unless the instance changed since it was read."""
        with self._db.session() as cur:
            cur.execute(
                f"DELETE FROM {SCHEMA}.messages WHERE hub = %s AND id = ANY(%s) AND EXISTS ("
                f"  SELECT 1 FROM {SCHEMA}.instances WHERE hub = %s AND instance_id = %s AND version = %s)",
                (self.hub, message_ids, self.hub, instance_id, expected_version),
            )
            return cur.rowcount > 0

    def commit_episode(self, write: EpisodeWrite) -> int | None:
        """Apply one episode atomically; returns the instance's new version, or None if another writer
        changed the instance since it was read (nothing is written then).

        All statements go in one batch whose last one is the version-checked UPDATE of the instance; the
        transaction is committed only if that UPDATE found the version it expected."""
        with self._db.session() as cur:
            cur.execute(b"BEGIN;" + b";".join(self._episode_sql(cur, write)))
            row = cur.fetchone()
            cur.execute("COMMIT" if row is not None else "ROLLBACK")
        return row[0] if row is not None else None

    def _episode_sql(self, cur: Any, write: EpisodeWrite) -> list[bytes]:
        hub, instance_id = self.hub, write.instance_id
        statements: list[bytes] = []

        def add(sql: str, params: tuple[Any, ...]) -> None:
            statements.append(cur.mogrify(sql, params))

        def values(rows: list[tuple[Any, ...]]) -> str:
            placeholders = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
            return ", ".join(cur.mogrify(placeholders, row).decode() for row in rows)

        if write.consumed_message_ids:
            add(
                f"DELETE FROM {SCHEMA}.messages WHERE hub = %s AND id = ANY(%s)",
                (hub, write.consumed_message_ids),
            )
        if write.finished or write.continue_as_new is not None:
            # Results of activities still running are dropped when they arrive (no row to complete).
            add(f"DELETE FROM {SCHEMA}.activities WHERE hub = %s AND instance_id = %s", (hub, instance_id))
            add(f"DELETE FROM {SCHEMA}.timers WHERE hub = %s AND instance_id = %s", (hub, instance_id))
        if write.continue_as_new is not None:
            new_execution_id, _ = write.continue_as_new
            add(f"DELETE FROM {SCHEMA}.history WHERE hub = %s AND instance_id = %s", (hub, instance_id))
            statements.append(self._message_sql(cur, instance_id, "start", new_execution_id, {}, write.now))
        else:
            if write.new_events:
                rows = [
                    (hub, instance_id, write.first_position + offset, json.dumps(event), _json_or_none(meta))
                    for offset, (event, meta) in enumerate(write.new_events)
                ]
                statements.append(
                    f"INSERT INTO {SCHEMA}.history (hub, instance_id, position, event, meta) "
                    f"VALUES {values(rows)}".encode()
                )
            if write.new_activities and not write.finished:
                rows = [
                    (hub, a.instance_id, a.execution_id, a.task_id, a.name, a.input, write.now)
                    for a in write.new_activities
                ]
                statements.append(
                    f"INSERT INTO {SCHEMA}.activities (hub, instance_id, execution_id, task_id, name, input, "
                    f"scheduled_at) VALUES {values(rows)} ON CONFLICT DO NOTHING".encode()
                )
            if write.new_timers and not write.finished:
                rows = [(hub, t.instance_id, t.execution_id, t.timer_id, t.fire_at) for t in write.new_timers]
                statements.append(
                    f"INSERT INTO {SCHEMA}.timers (hub, instance_id, execution_id, timer_id, fire_at) "
                    f"VALUES {values(rows)} ON CONFLICT DO NOTHING".encode()
                )
            if write.cancelled_timer_ids and not write.finished:
                add(
                    f"DELETE FROM {SCHEMA}.timers WHERE hub = %s AND instance_id = %s AND execution_id = %s "
                    "AND timer_id = ANY(%s) AND NOT fired",
                    (hub, instance_id, write.execution_id, write.cancelled_timer_ids),
                )

        assignments = "status = %s, custom_status = %s, last_updated_at = %s, version = version + 1"
        params: list[Any] = [write.status, write.custom_status, write.now]
        if write.finished:
            assignments += ", output = %s"
            params.append(write.output)
        if write.continue_as_new is not None:
            assignments += ", execution_id = %s, input = %s, output = NULL"
            params.extend(write.continue_as_new)
        add(
            f"UPDATE {SCHEMA}.instances SET {assignments} "
            "WHERE hub = %s AND instance_id = %s AND version = %s RETURNING version",
            (*params, hub, instance_id, write.expected_version),
        )
        return statements

    # -- activities and timers -------------------------------------------------------------------------

    def complete_activity(self, activity: ActivityRow, result_event: dict[str, Any], now: datetime) -> bool:
        """Record an activity's outcome: its row goes, its result is queued. False if the row was already gone
        (the instance finished, was restarted, or another run of this activity already completed it)."""
        with self._db.session() as cur:
            cur.execute(
                f"WITH done AS (DELETE FROM {SCHEMA}.activities WHERE hub = %s AND instance_id = %s "
                "  AND execution_id = %s AND task_id = %s RETURNING instance_id, execution_id) "
                f"INSERT INTO {SCHEMA}.messages (hub, instance_id, kind, execution_id, payload, created_at) "
                "SELECT %s, instance_id, 'activity', execution_id, %s, %s FROM done RETURNING id",
                (
                    self.hub,
                    activity.instance_id,
                    activity.execution_id,
                    activity.task_id,
                    self.hub,
                    json.dumps(result_event),
                    now,
                ),
            )
            return cur.fetchone() is not None

    def fire_due_timers(self, now: datetime, limit: int = 500) -> list[TimerRow]:
        """Flag up to `limit` due timers as fired and queue a TimerFired for each, in one transaction."""
        with self._db.session() as cur:
            cur.execute(
                f"BEGIN; UPDATE {SCHEMA}.timers SET fired = true "
                f"WHERE (hub, instance_id, execution_id, timer_id) IN ("
                f"  SELECT hub, instance_id, execution_id, timer_id FROM {SCHEMA}.timers "
                "   WHERE hub = %s AND NOT fired AND fire_at <= %s ORDER BY fire_at LIMIT %s FOR UPDATE SKIP LOCKED"
                ") RETURNING instance_id, execution_id, timer_id, fire_at",
                (self.hub, now, limit),
            )
            fired = [TimerRow(*row) for row in cur.fetchall()]
            statements = [
                self._message_sql(
                    cur,
                    timer.instance_id,
                    "timer",
                    timer.execution_id,
                    new_event(
                        EventType.TIMER_FIRED,
                        now,
                        TimerId=timer.timer_id,
                        FireAt=format_timestamp(timer.fire_at),
                    ),
                    now,
                )
                for timer in fired
            ]
            cur.execute(b";".join([*statements, b"COMMIT"]))
            return fired

    # -- recovery after a restart ----------------------------------------------------------------------

    def instances_with_messages(self) -> list[str]:
        with self._db.session() as cur:
            cur.execute(
                f"SELECT instance_id FROM {SCHEMA}.messages WHERE hub = %s GROUP BY instance_id ORDER BY min(id)",
                (self.hub,),
            )
            return [row[0] for row in cur.fetchall()]

    def pending_activities(self) -> list[ActivityRow]:
        with self._db.session() as cur:
            cur.execute(
                f"SELECT instance_id, execution_id, task_id, name, input FROM {SCHEMA}.activities "
                "WHERE hub = %s ORDER BY scheduled_at",
                (self.hub,),
            )
            return [ActivityRow(*row) for row in cur.fetchall()]

    def pending_timers(self) -> list[TimerRow]:
        with self._db.session() as cur:
            cur.execute(
                f"SELECT instance_id, execution_id, timer_id, fire_at FROM {SCHEMA}.timers "
                "WHERE hub = %s AND NOT fired",
                (self.hub,),
            )
            return [TimerRow(*row) for row in cur.fetchall()]

    def _message_sql(
        self,
        cur: Any,
        instance_id: str,
        kind: str,
        execution_id: str | None,
        payload: dict[str, Any],
        now: datetime,
    ) -> bytes:
        return cur.mogrify(
            f"INSERT INTO {SCHEMA}.messages (hub, instance_id, kind, execution_id, payload, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (self.hub, instance_id, kind, execution_id, json.dumps(payload), now),
        )


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value)
