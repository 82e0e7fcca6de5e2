"""Outbound SMS through the real `twilio` client.

Locally and in tests the same client talks to devhost's fake Twilio (TWILIO_API_BASE_URL); production never
sets that, so the code path is the one that runs in Azure.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
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


class SmsSender(Protocol):
    def send(self, to: str, body: str) -> SentSms: ...


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

                    client = Client(
                        self._account_sid,
                        self._auth_token,
                        http_client=TwilioHttpClient(timeout=self._timeout),
                    )
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
