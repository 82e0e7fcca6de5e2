from __future__ import annotations

import logging

import pytest

from shared.errors import ValidationFailed
from shared.observability import MaskPhoneNumbers
from shared.phone import mask_phone, mask_phones_in, to_e164


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(415) 555-0132", "US", "+14155550132"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+33 1 42 68 53 00", "US", "+33142685300"),
    ],
)
def test_to_e164(raw, region, expected):
    assert to_e164(raw, region) == expected


def test_invalid_numbers_raise_validation_naming_the_field():
    with pytest.raises(ValidationFailed) as error:
        to_e164("555", "US", field="phone")
    assert error.value.errors[0]["field"] == "phone"


def test_masking_keeps_country_and_last_digits_only():
    assert mask_phone("+14155550132") == "+141****0132"
    assert "5550132" not in mask_phones_in("from +14155550132 to +442079460958")


def test_log_filter_masks_message_and_arguments():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "sms to %s (+14155550100)", ("+442079460958",), None
    )
    MaskPhoneNumbers().filter(record)
    text = record.getMessage()
    assert "4155550100" not in text and "2079460958" not in text
