"""Log lines about an interview carry its id in the message, which is all the Functions worker forwards."""

from __future__ import annotations

import logging

import pytest

from shared.observability import interview_log


def test_an_interview_log_line_leads_with_the_id_and_keeps_it_in_the_fields(caplog: pytest.LogCaptureFixture):
    log = logging.getLogger("interview-log-test")
    with caplog.at_level(logging.INFO, logger="interview-log-test"):
        interview_log(log, "2b1f", outcome="completed").info("interview finished: %s", "completed")
    (record,) = caplog.records
    assert record.getMessage() == "[interview 2b1f] interview finished: completed"
    assert (record.interview_id, record.instance_id, record.outcome) == ("2b1f", "2b1f", "completed")
