"""Text shaped like SQL, format strings and escapes is data: stored and read back exactly, through the API and
through the Twilio webhook, and searching for it finds only what holds it.
"""

from __future__ import annotations

import psycopg2
import pytest

from tests.hostile.webhook_support import new_sid, post, truncate_sms_tables, twilio_form
from tests.support.factories import insert_interview, make_candidate, make_job
from tests.support.functions_host import call

SQL_SHAPED = [
    "'; DROP TABLE jobs; --",
    "Robert'); DROP TABLE candidates;--",
    '" OR "1"="1',
    "' OR 1=1 --",
    "1; SELECT pg_sleep(10)",
    "'||(SELECT current_user)||'",
    "/* */ COMMIT; BEGIN;",
    "%s %(name)s %% %d",
    "$1 $$ $tag$ body $tag$",
    "\\x00 \\0 \\' \\\\",
    "E'\\x41' || chr(65)",
    "_%_ 100% \\% [a-z]*",
    "{0} {} ${jndi:ldap://x} {{7*7}}",
    ":name ? ?1 @p0",
    "O'Brien-Ñúñez 李 👩🏽‍💻",
]


def rows(database_url: str, query: str, *params) -> list[tuple]:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


@pytest.fixture
def empty(webhook_env: str) -> str:
    truncate_sms_tables(webhook_env)
    return webhook_env


def test_jobs_and_questions_keep_sql_shaped_text_verbatim(empty):
    body = {
        "title": SQL_SHAPED[0],
        "description": "\n".join(SQL_SHAPED),
        "requirements": SQL_SHAPED,
        "questions": [{"text": text[:290] + "?", "ideal_answer": text} for text in SQL_SHAPED],
    }
    created = call("POST", "jobs", json=body)
    assert created.status == 201, created
    job = call("GET", f"jobs/{created.json()['id']}").json()
    assert (job["title"], job["description"], job["requirements"]) == (
        body["title"],
        body["description"],
        body["requirements"],
    )
    assert [(q["text"], q["ideal_answer"]) for q in job["questions"]] == [
        (q["text"], q["ideal_answer"]) for q in body["questions"]
    ]
    stored = rows(empty, "SELECT text FROM questions WHERE job_id = %s ORDER BY position", job["id"])
    assert [text for (text,) in stored] == [q["text"] for q in body["questions"]]
    for title in SQL_SHAPED[1:4]:
        patched = call("PATCH", f"jobs/{job['id']}", json={"title": title})
        assert patched.status == 200 and patched.json()["title"] == title


def test_candidates_keep_sql_shaped_names_and_search_finds_only_them(empty):
    stored = {}
    for index, name in enumerate(SQL_SHAPED):
        sent = {"name": name, "phone": f"+1415555{1000 + index}", "email": f"o'brien+{index}%s@example.com"}
        created = call("POST", "candidates", json=sent)
        assert created.status == 201, created
        candidate = call("GET", f"candidates/{created.json()['id']}").json()
        assert (candidate["name"], candidate["email"]) == (sent["name"], sent["email"])
        stored[candidate["id"]] = candidate
    for query in [*SQL_SHAPED, "%", "_", "\\", "'"]:
        found = {
            c["id"] for c in call("GET", "candidates", params={"q": query, "limit": 200}).json()["items"]
        }
        assert found == {i for i, c in stored.items() if search_matches(query, c)}, query


def search_matches(query: str, candidate: dict) -> bool:
    """The documented search, literally: the text in the name or email (any case), or 3+ of its digits in
    the phone number. No character of the query is a wildcard."""
    digits = "".join(ch for ch in query if ch.isdigit())
    return (
        query.lower() in candidate["name"].lower()
        or query.lower() in candidate["email"].lower()
        or (len(digits) >= 3 and digits in candidate["phone"])
    )


def test_token_labels_keep_sql_shaped_text(empty):
    for label in SQL_SHAPED[:5]:
        created = call("POST", "tokens", json={"role": "viewer", "label": label})
        assert created.status == 201 and created.json()["label"] == label
    listed = {t["label"] for t in call("GET", "tokens").json()["items"]}
    assert set(SQL_SHAPED[:5]) <= listed


def test_answers_texted_in_are_stored_verbatim(empty, webhook_env):
    job = make_job([{"text": "Anything to add?"}, {"text": "And then?"}])
    interviews = {}
    for index, text in enumerate(SQL_SHAPED):
        candidate = make_candidate(phone=f"+1415555{2000 + index}", job_id=job.id)
        interview_id = insert_interview(
            empty, candidate, job, current_question=1, attempt=1, awaiting_answer=True
        )
        interviews[text] = interview_id
        response = post("/api/sms/inbound", twilio_form(new_sid(), candidate.phone, text))
        assert response.status == 200, response
    for text, interview_id in interviews.items():
        detail = call("GET", f"interviews/{interview_id}").json()
        assert [a["text"] for a in detail["answers"]] == [text]
        assert rows(empty, "SELECT text FROM answers WHERE interview_id = %s", interview_id) == [(text,)]
        assert rows(empty, "SELECT body FROM inbound_messages WHERE interview_id = %s", interview_id) == [
            (text,)
        ]
    assert rows(empty, "SELECT count(*) FROM jobs") == [(1,)]  # nothing was dropped or added by the text
