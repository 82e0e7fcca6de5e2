"""The real Twilio client's lookup of an accepted message (used before retrying a send whose outcome was
not recorded), against devhost's fake Twilio."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.adapters.sms import TwilioSmsSender

pytestmark = pytest.mark.e2e


def test_find_sent_returns_the_accepted_message_to_that_number_with_that_body(devhost):
    data_dir = Path(devhost.log_path).parent
    sender = TwilioSmsSender(
        (data_dir / "twilio-account-sid").read_text().strip(),
        (data_dir / "twilio-auth-token").read_text().strip(),
        messaging_service_sid=None,
        from_number="+15005550006",
        status_callback_url=None,
        api_base_url=devhost.url,
    )
    before = datetime.now(UTC)
    sent = sender.send("+14155550301", "Q1/2: Where do you live?")
    sender.send("+14155550302", "Q1/2: Where do you live?")  # same text, another number
    found = sender.find_sent("+14155550301", "Q1/2: Where do you live?", since=before)
    assert found is not None and found.sid == sent.sid
    assert sender.find_sent("+14155550301", "Q2/2: something else", since=before) is None
    assert sender.find_sent("+14155550303", "Q1/2: Where do you live?", since=before) is None
    assert (
        sender.find_sent("+14155550301", "Q1/2: Where do you live?", since=before + timedelta(hours=1))
        is None
    )
