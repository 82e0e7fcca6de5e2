"""What the log masking covers beyond a message's text: arguments of any type, exception tracebacks, stack
traces, PostgreSQL's error details, and handlers attached after it was installed (as the Functions worker
and Application Insights attach theirs).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import psycopg2
import pytest

from shared.observability import install_log_masking

PHONE = "+14155550188"
ANSWER = "Pelican-4471 I ran the night shift"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A handler of its own, attached after masking was installed and on a logger that does not propagate
    to the root: as the Functions worker or Application Insights attach theirs, where no filter is."""
    install_log_masking()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    top = logging.getLogger("hostile")
    top.addHandler(handler)
    top.setLevel(logging.INFO)
    top.propagate = False
    yield out
    top.removeHandler(handler)
    top.propagate = True


def test_a_handler_added_later_gets_masked_records_from_any_logger(captured):
    logging.getLogger("hostile.some.library").info("sending to %s", PHONE)
    logging.getLogger("hostile.some.library").info(f"sending to {PHONE}")
    assert PHONE not in captured.getvalue()
    assert "+141****0188" in captured.getvalue()


def test_arguments_that_are_not_strings_are_masked(captured):
    log = logging.getLogger("hostile.sms")
    log.warning("request failed: %s", ValueError(f"The 'To' number {PHONE} is not valid"))
    log.info("form: %s", {"From": PHONE, "Body": "hi"})
    log.info("%(to)s", {"to": PHONE})
    assert PHONE not in captured.getvalue()


def test_exception_tracebacks_and_stack_traces_are_masked(captured):
    log = logging.getLogger("hostile.api")
    try:
        raise RuntimeError(f"could not text {PHONE}")
    except RuntimeError:
        log.exception("unhandled error")
    log.info(f"here, texting {PHONE}", stack_info=True)
    text = captured.getvalue()
    assert "RuntimeError: could not text +141****0188" in text
    assert PHONE not in text


def test_database_errors_do_not_carry_the_row_into_the_log(captured, clean_db):
    log = logging.getLogger("hostile.api")
    with psycopg2.connect(clean_db) as conn, conn.cursor() as cur:
        try:
            cur.execute("INSERT INTO candidates (name, phone_e164) VALUES (%s, %s)", (ANSWER, "0" + PHONE))
        except psycopg2.Error as exc:
            log.error("unhandled error serving POST /api/candidates", exc_info=exc)
        conn.rollback()
        cur.execute("CREATE TEMP TABLE answers_probe (text text UNIQUE)")
        cur.execute("INSERT INTO answers_probe VALUES (%s)", (ANSWER,))
        try:
            cur.execute("INSERT INTO answers_probe VALUES (%s)", (ANSWER,))
        except psycopg2.Error as exc:
            log.error("unhandled error", exc_info=exc)
    text = captured.getvalue()
    assert "CheckViolation" in text and "UniqueViolation" in text  # the errors themselves are logged
    assert "Failing row contains (…)" in text and "Key (text)=(…)" in text
    assert ANSWER not in text and PHONE[1:] not in text


def test_a_message_that_cannot_be_formatted_does_not_make_masking_raise():
    install_log_masking()
    record = logging.getLogger("hostile.x").makeRecord(
        "hostile.x", logging.INFO, __file__, 1, "%s %s", (PHONE,), None
    )
    with pytest.raises(TypeError):
        record.getMessage()  # left for the handler to report, as logging does, not raised in the caller
