"""Delivery status callbacks: update the conversation log; a permanent failure stops the interview."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from shared.adapters import factory
from shared.data import interviews as store
from shared.db import transaction
from shared.services.interview_flow import stop_after_delivery_failure

log = logging.getLogger("sms")

# 21610: recipient opted out; 30003-30007: unreachable, blocked, unknown, landline, carrier filtered.
STOPPING_ERROR_CODES = frozenset({21610, 30003, 30004, 30005, 30006, 30007})


@dataclass
class StatusResult:
    sid: str
    status: str
    error_code: int | None
    terminate: str | None = None


def handle_status(form: dict[str, str]) -> StatusResult:
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    code = _int(form.get("ErrorCode"))
    result = StatusResult(sid, status, code)
    if not sid or not status:
        return result
    factory.conversation_log_safe().update_status(sid, status, code)
    if status in ("failed", "undelivered") and code in STOPPING_ERROR_CODES:
        with transaction() as cur:
            sent = store.interview_for_sid(cur, sid)
        if sent and sent["interview_id"]:
            interview_id = str(sent["interview_id"])
            reason = form.get("ErrorMessage") or f"message {status}"
            if stop_after_delivery_failure(interview_id, code, reason):
                result.terminate = interview_id
    return result


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
