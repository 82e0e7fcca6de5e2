"""Calling the Twilio webhooks in-process as Twilio would: signed forms, repeated keys, raw bodies."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import psycopg2

from tests.support.functions_host import call

TWILIO_AUTH_TOKEN = "hostile-twilio-auth-token-0123456789ab"
PUBLIC_BASE_URL = "https://hostile.example.test"  # what Twilio called; the app sees http://localhost:7071
ACTIVE_PHONE = "+14155550160"  # has an interview awaiting an answer
OTHER_PHONES = ["+14155550161", "+447700900123", "+61491570006"]
MAX_STORED_BODY = 1600
_sids = itertools.count(1)


def twilio_signature(
    url: str, params: Mapping[str, str | Sequence[str]], token: str = TWILIO_AUTH_TOKEN
) -> str:
    """X-Twilio-Signature as Twilio computes it: every parameter, repeated keys included."""
    from twilio.request_validator import RequestValidator

    from shared.twilio_webhook import FormParams

    return RequestValidator(token).compute_signature(url, FormParams(params))


class RecordingDurableClient:
    """Stands in for the orchestration client: records what the webhook asked of it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    async def raise_event(self, instance_id: str, name: str, data: Any = None) -> None:
        self.calls.append(("raise_event", instance_id, name))

    async def terminate(self, instance_id: str, reason: str) -> None:
        self.calls.append(("terminate", instance_id, reason))


def truncate_sms_tables(database_url: str) -> None:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE jobs, candidates, interviews, inbound_messages, sms_opt_outs CASCADE")


def stored(database_url: str, sid: str) -> tuple | None:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT from_phone, body, handled_as FROM inbound_messages WHERE message_sid = %s", (sid,)
        )
        return cur.fetchone()


def inbound_count(database_url: str) -> int:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM inbound_messages")
        return cur.fetchone()[0]


def new_sid() -> str:
    return f"SMhostile{next(_sids):023d}"


def post(
    path: str,
    pairs: list[tuple[str, str]],
    *,
    signature: str | None = "sign",
    content_type: str = "application/x-www-form-urlencoded",
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST a form as Twilio would. signature="sign" computes the valid one over PUBLIC_BASE_URL + path."""
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    headers = {"content-type": content_type, **(headers or {})}
    if signature == "sign":
        signature = twilio_signature(PUBLIC_BASE_URL + path, params)
    if signature is not None:
        headers["x-twilio-signature"] = signature
    body = raw if raw is not None else urlencode(pairs).encode()
    return call("POST", path, body=body, token=None, headers=headers, durable_client=RecordingDurableClient())


def twilio_form(sid: str, phone: str, body: str) -> list[tuple[str, str]]:
    return [
        ("ToCountry", "US"), ("ToState", "CA"), ("SmsMessageSid", sid), ("NumMedia", "0"), ("SmsSid", sid),
        ("SmsStatus", "received"), ("Body", body), ("FromCountry", "US"), ("To", "+15005550006"),
        ("NumSegments", "1"), ("MessageSid", sid), ("AccountSid", "AC" + "0" * 32), ("From", phone),
        ("ApiVersion", "2010-04-01"),
    ]  # fmt: skip


def expected_body(form: dict[str, str]) -> str:
    body = form.get("Body", "")[:MAX_STORED_BODY]
    media = form.get("NumMedia", "0").strip()
    if not body.strip() and media.isdigit() and int(media) > 0:
        return "[media message]"
    return body


def first_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form
