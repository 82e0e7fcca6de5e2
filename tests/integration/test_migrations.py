from __future__ import annotations

import threading

import psycopg2
import pytest

from shared.db.embedded import ensure_database
from shared.db.migrate import MigrationError, applied, discover, migrate


@pytest.fixture
def scratch_db(database_url: str) -> str:
    from psycopg2.extensions import make_dsn, parse_dsn

    params = parse_dsn(database_url)
    name = params["dbname"] + "_scratch"
    admin = make_dsn(**{**params, "dbname": "postgres"})
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()
    ensure_database(admin, name)
    return make_dsn(**{**params, "dbname": name})


def test_migrate_applies_each_file_once_and_records_it(scratch_db):
    names = [m.name for m in discover()]
    assert migrate(scratch_db) == names
    assert migrate(scratch_db) == []
    assert applied(scratch_db) == names


def test_concurrent_runners_apply_once(scratch_db):
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(migrate(scratch_db))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(r) for r in results) == [0, 0, len(discover())]


def test_changed_migration_is_refused(scratch_db, tmp_path):
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE t (id int);")
    migrate(scratch_db, tmp_path)
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE t (id bigint);")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate(scratch_db, tmp_path)


def test_bad_file_name_is_refused(tmp_path):
    (tmp_path / "first.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="0001_name.sql"):
        discover(tmp_path)


def test_one_active_interview_per_phone_is_enforced_by_the_database(database_url):
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO jobs (title) VALUES ('j') RETURNING id")
        job = cur.fetchone()[0]
        cur.execute("INSERT INTO candidates (name, phone_e164) VALUES ('c', '+14155550100') RETURNING id")
        cand = cur.fetchone()[0]
        insert = (
            "INSERT INTO interviews (candidate_id, job_id, phone_e164, status, question_count) "
            "VALUES (%s, %s, '+14155550100', %s, 1)"
        )
        cur.execute(insert, (cand, job, "completed"))
        cur.execute(insert, (cand, job, "in_progress"))
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute(insert, (cand, job, "scheduled"))
