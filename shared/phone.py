"""Phone numbers: parsed with `phonenumbers`, stored in E.164, masked whenever they are logged."""

from __future__ import annotations

import re

from shared.errors import ValidationFailed

_E164 = re.compile(r"\+[1-9]\d{6,14}")


def to_e164(raw: str, default_region: str, field: str = "phone") -> str:
    """Parse a national or international number; raise ValidationFailed naming `field` if it is not valid."""
    import phonenumbers  # imported on first use: its metadata is large and most requests never parse a number

    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed.single(field, f"not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed.single(field, "not a valid phone number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """'+14155550123' -> '+1415***0123'-style masking that keeps enough to tell numbers apart in logs."""
    if len(e164) <= 6:
        return "***"
    return e164[:4] + "*" * (len(e164) - 8) + e164[-4:]


def mask_phones_in(text: str) -> str:
    """Mask every E.164-looking number inside free text (log messages)."""
    return _E164.sub(lambda match: mask_phone(match.group(0)), text)
