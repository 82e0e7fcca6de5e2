"""PostgreSQL restarted under traffic: while it is down the webhook answers 503 (so Twilio retries) and
nothing else; once it is back, the app recovers by itself (no restart), pooled connections from before the
restart cost no failed request, and the retried MessageSid is stored exactly once."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from devhost.azurite import free_port
from shared import db
from shared.db.pool import KeepAlivePool
from shared.settings import reset_settings_cache
from tests.conftest import traversable_temp_dir
from tests.e2e.conftest import DevhostClient, start_devhost, stop_devhost
from tests.e2e.test_interview_flow import make_interview
from tests.faults.conftest import RestartablePostgres, detail, signed_inbound

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_database(postgres: RestartablePostgres) -> Iterator[str]:
    """The app's pool (shared.db) pointed at the restartable server for one test."""
    url = postgres.url("pool_restart")
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    reset_settings_cache()
    db.close_pool()
    yield url
    db.close_pool()
    if previous is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = previous
    reset_settings_cache()


def test_pooled_connections_from_before_a_restart_fail_no_transaction(postgres, app_database):
    with db.transaction() as a, db.transaction() as b, db.transaction() as c:  # three pooled connections
        for cur in (a, b, c):
            cur.execute("SELECT 1")
    postgres.stop()
    try:
        with pytest.raises(db.DatabaseUnavailable):
            with db.transaction() as cur:
                cur.execute("SELECT 1")
    finally:
        postgres.start()
    for _ in range(4):  # every connection pooled before the restart is replaced, not tried and failed
        with db.transaction() as cur:
            cur.execute("SELECT 1 AS one")
            assert cur.fetchone()["one"] == 1


def test_pool_waits_for_a_free_connection_instead_of_failing(app_database):
    import threading

    pool = KeepAlivePool(1, app_database, wait_seconds=5)
    held = pool.getconn()
    taken: list = []
    waiter = threading.Thread(target=lambda: taken.append(pool.getconn()))
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive() and not taken  # waiting, not failing
    pool.putconn(held)
    waiter.join(5)
    assert taken and taken[0] is held
    pool.putconn(taken[0])
    short = KeepAlivePool(1, app_database, wait_seconds=0.2)
    first = short.getconn()
    with pytest.raises(Exception, match="exhausted"):
        short.getconn()
    short.putconn(first)
    pool.closeall()
    short.closeall()


@pytest.fixture(scope="module")
def host_on_restartable_db(postgres: RestartablePostgres) -> Iterator[DevhostClient]:
    client = start_devhost(traversable_temp_dir("faults-dbhost"), free_port(),
                           {"DATABASE_URL": postgres.url("devhost_restart")})  # fmt: skip
    yield client
    stop_devhost(client)


def test_webhook_answers_503_while_the_database_is_down_and_the_retry_is_stored_once(
    postgres, host_on_restartable_db
):
    host = host_on_restartable_db
    phone = "+14155580001"
    interview = make_interview(host, phone, questions=[{"text": "Q one?"}, {"text": "Q two?"}])
    host.wait_for_sms(phone, lambda body: "Q one?" in body)
    sid = "SM" + "e" * 32
    postgres.stop()
    try:
        outage = [signed_inbound(host, phone, "Five years of Python", sid) for _ in range(3)]
        assert [r.status_code for r in outage] == [503, 503, 503]
        assert all(r.headers.get("Retry-After") for r in outage)
        assert host.session.get(host.url + "/api/health", timeout=30).status_code == 503
    finally:
        postgres.start()
    retried = signed_inbound(host, phone, "Five years of Python", sid)  # Twilio's next retry
    assert retried.status_code == 200  # the first request after the restart already succeeds
    assert signed_inbound(host, phone, "Five years of Python", sid).status_code == 200  # and a late one
    host.wait_for_sms(phone, lambda body: "Q two?" in body, timeout=60)
    host.reply(phone, "Mostly Django")
    done = host.wait_for(lambda: detail(host, interview), lambda d: d["status"] == "completed", timeout=60)
    assert [a["text"] for a in done["answers"]] == ["Five years of Python", "Mostly Django"]
    bodies = [m["body"] for m in host.outbox(phone)]
    assert sum("Q one?" in b for b in bodies) == 1 and sum("Q two?" in b for b in bodies) == 1
