"""Logging: phone numbers masked in every record, and interview context as structured fields.

Masking happens where records are made (a LogRecord factory), so it covers every logger - ours and third
parties' - and every handler, including those the Functions worker or Application Insights attach after
the app started. Log lines about one interview lead with its id (`interview_log`): the Functions Python
worker forwards only a record's message to Application Insights, not its `extra` fields, so the id must be
in the text for operators to find the lines (`message has "<id>"`); the fields stay on the record too.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from shared.phone import mask_phones_in

# PostgreSQL error details quote the offending row or key, which may hold a name, a number or an answer.
_DATABASE_DETAIL = re.compile(r"(Failing row contains |Key \([^)\n]*\)=)\(.*?\)(?=\s|\.|$)", re.MULTILINE)


def scrub(text: str) -> str:
    """Text fit for a log: E.164 numbers masked, rows and keys quoted by database errors left out."""
    return _DATABASE_DETAIL.sub(r"\1(…)", mask_phones_in(text))


class MaskPhoneNumbers(logging.Filter):
    """Scrubs a record's message (after formatting, so arguments of any type are covered), its exception
    text and its stack trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: left for the handler to report, as logging does
            return True
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_installed = False


def install_log_masking() -> None:
    """Scrub every record from now on, whichever logger makes it and whichever handler receives it."""
    global _installed
    if _installed:
        return
    mask = MaskPhoneNumbers()
    make_record = logging.getLogRecordFactory()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        mask.filter(record)
        return record

    logging.setLogRecordFactory(masked_record)
    _installed = True


class InterviewLog(logging.LoggerAdapter):
    """A logger for lines about one interview: "[interview <id>] message", with the id in the fields too."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        kwargs["extra"] = {**(self.extra or {}), **kwargs.get("extra", {})}
        return f"[interview {kwargs['extra']['interview_id']}] {msg}", kwargs


def interview_log(logger: logging.Logger, interview_id: Any, **more: Any) -> InterviewLog:
    """`logger` for one interview (the orchestration's instance id is the interview id)."""
    fields = {"interview_id": str(interview_id), "instance_id": str(interview_id)}
    fields.update({k: str(v) for k, v in more.items()})
    return InterviewLog(logger, fields)
