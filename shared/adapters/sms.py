"""Outbound SMS through the real `twilio` client.

Locally and in tests the same client talks to devhost's fake Twilio (TWILIO_API_BASE_URL); production never
sets that, so the code path is the one that runs in Azure.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

# Twilio error codes after which sending to that number again is pointless.
OPTED_OUT_CODE = 21610
PERMANENT_CODES = frozenset({21211, 21214, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006, 30007})


class SmsSendError(Exception):
    def __init__(self, message: str, code: int | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent


@dataclass(frozen=True)
class SentSms:
    sid: str
    status: str


@dataclass(frozen=True)
class FetchedSms:
    """A message as Twilio keeps it (for repairs: PostgreSQL keeps the SID of what we sent, not its text)."""

    sid: str
    to: str
    body: str
    status: str


# Clock difference tolerated between our database and Twilio when matching a message to an earlier attempt.
CLOCK_SKEW = timedelta(minutes=2)


class SmsSender(Protocol):
    def send(self, to: str, body: str) -> SentSms: ...

    def find_sent(self, to: str, body: str, since: datetime) -> SentSms | None: ...

    def fetch(self, sid: str) -> FetchedSms | None: ...


class TwilioSmsSender:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        messaging_service_sid: str | None,
        from_number: str | None,
        status_callback_url: str | None,
        api_base_url: str | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        if not (messaging_service_sid or from_number):
            raise ValueError("set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._messaging_service_sid = messaging_service_sid
        self._from_number = from_number
        self._status_callback_url = status_callback_url
        self._api_base_url = api_base_url
        self._timeout = timeout_seconds
        self._client: Any = None
        self._lock = threading.Lock()

    def _twilio(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    from twilio.http.http_client import TwilioHttpClient
                    from twilio.rest import Client

                    http_client = TwilioHttpClient(timeout=self._timeout)
                    # No proxy or netrc from the environment (Twilio is reached directly): requests would
                    # re-read them on every call, as for storage (shared/adapters/storage.py).
                    http_client.session.trust_env = False
                    client = Client(self._account_sid, self._auth_token, http_client=http_client)
                    if self._api_base_url:
                        client.api.base_url = self._api_base_url
                    self._client = client
        return self._client

    def send(self, to: str, body: str) -> SentSms:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        arguments: dict[str, Any] = {"to": to, "body": body}
        if self._messaging_service_sid:
            arguments["messaging_service_sid"] = self._messaging_service_sid
        else:
            arguments["from_"] = self._from_number
        if self._status_callback_url:
            arguments["status_callback"] = self._status_callback_url
        try:
            message = self._twilio().messages.create(**arguments)
        except TwilioRestException as exc:
            code = int(exc.code) if exc.code else None
            permanent = code in PERMANENT_CODES or (400 <= exc.status < 500 and exc.status != 429)
            raise SmsSendError(f"Twilio refused the message: {exc.msg}", code, permanent) from None
        except (TwilioException, OSError) as exc:
            raise SmsSendError(f"could not reach Twilio: {type(exc).__name__}") from None
        return SentSms(sid=message.sid, status=message.status or "queued")

    def find_sent(self, to: str, body: str, since: datetime) -> SentSms | None:
        """The message with this body that Twilio accepted for `to` at or after `since`, if any.

        Twilio's Messages API has no idempotency key, so a send whose outcome was not recorded (a crash or a
        timeout after Twilio accepted it) is looked up before it is tried again. Reads the most recent page
        of messages to the number, newest first."""
        from twilio.base.exceptions import TwilioException

        earliest = since - CLOCK_SKEW
        try:
            for message in self._twilio().messages.list(to=to, limit=50, page_size=50):
                created = message.date_created
                if created is not None and created < earliest:
                    return None  # newest first: the rest are older still
                if message.body == body:
                    return SentSms(sid=message.sid, status=message.status or "queued")
        except (TwilioException, OSError) as exc:
            raise SmsSendError(
                f"could not ask Twilio about an earlier attempt: {type(exc).__name__}"
            ) from None
        return None

    def fetch(self, sid: str) -> FetchedSms | None:
        """The message Twilio knows by `sid`, or None if it knows none."""
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self._twilio().messages(sid).fetch()
        except TwilioRestException as exc:
            if exc.status == 404:
                return None
            raise SmsSendError(f"Twilio refused to show message {sid}: {exc.msg}") from None
        except (TwilioException, OSError) as exc:
            raise SmsSendError(f"could not reach Twilio: {type(exc).__name__}") from None
        return FetchedSms(
            sid=message.sid, to=message.to, body=message.body or "", status=message.status or "sent"
        )
