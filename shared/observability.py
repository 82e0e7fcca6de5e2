"""Logging: phone numbers masked in every record, and interview context as structured fields.

Application Insights turns a record's `extra` fields into customDimensions, so operators can query by
interview_id and instance_id.
"""

from __future__ import annotations

import logging
from typing import Any

from shared.phone import mask_phones_in


class MaskPhoneNumbers(logging.Filter):
    """Masks E.164 numbers in the message and its arguments before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_phones_in(record.msg)
        if record.args:
            if isinstance(record.args, dict):
                record.args = {k: _mask(v) for k, v in record.args.items()}
            else:
                record.args = tuple(_mask(arg) for arg in record.args)
        return True


def _mask(value: Any) -> Any:
    return mask_phones_in(value) if isinstance(value, str) else value


_installed = False


def install_log_masking() -> None:
    """Attach the masking filter to the root logger's handlers (and to handlers added later via the root)."""
    global _installed
    if _installed:
        return
    mask = MaskPhoneNumbers()
    root = logging.getLogger()
    root.addFilter(mask)
    for handler in root.handlers:
        handler.addFilter(mask)
    _installed = True


def interview_fields(interview_id: Any, **more: Any) -> dict[str, Any]:
    """`extra=` for a log call about one interview (the instance id is the interview id)."""
    fields = {"interview_id": str(interview_id), "instance_id": str(interview_id)}
    fields.update({k: str(v) for k, v in more.items()})
    return fields
