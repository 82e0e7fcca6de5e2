"""The Twilio webhooks under generated hostile input, called in-process as the Functions host calls them.

With a valid X-Twilio-Signature (the sender holds the auth token) any form - fields missing, repeated, odd
unicode, MMS, odd values - is answered 200 or 400, never 5xx, and what is stored is what was sent (NUL
characters dropped, the body cut at Twilio's 1600 characters). Without a valid signature the answer is
always 403 and nothing is stored.
"""

from __future__ import annotations

import psycopg2
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tests.hostile.conftest import FUZZ_EXAMPLES
from tests.hostile.webhook_support import (
    ACTIVE_PHONE,
    OTHER_PHONES,
    PUBLIC_BASE_URL,
    expected_body,
    first_values,
    inbound_count,
    new_sid,
    post,
    stored,
    twilio_form,
    twilio_signature,
)

pytestmark = pytest.mark.fuzz

# Text Twilio could plausibly forward, and text it never would: controls, NUL, bidi marks, combining marks,
# emoji with modifiers and joiners, non-characters, astral planes, escape-looking text, SQL and format strings.
ODD_TEXT = st.one_of(
    st.text(max_size=200),
    st.text(st.characters(codec="utf-8"), max_size=400),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\u202eevil\u202c",
            "\u200f\u200e\u061c",
            "e\u0301\u0301\u0301\u0301",
            "Z\u0351\u0364\u036b\u0310\u0300\u0308",
            "👩🏽‍💻🏳️‍🌈🇺🇸",
            "\ufeff\ufffe\uffff",
            "\U0010fffd\U000e0001",
            "\\ud800\\udfff",
            "%00%ff%fe",
            "'; DROP TABLE inbound_messages; --",
            "%s %(x)s {0} {}",
            "STOP",
            "stop ",
            "HELP",
            "START",
            "ready",
            "idk",
            "\r\n\r\n",
            "\t" * 50,
        ]
    ),
)


@st.composite
def hostile_forms(draw: st.DrawFn) -> list[tuple[str, str]]:
    """A Twilio-shaped inbound form, then mangled: fields dropped, repeated, added, MMS, odd values."""
    sid = new_sid()
    phone = draw(st.sampled_from([ACTIVE_PHONE, *OTHER_PHONES]) | ODD_TEXT)
    pairs = twilio_form(sid, phone, draw(ODD_TEXT))
    drop = draw(st.sets(st.sampled_from(["MessageSid", "SmsSid", "From", "Body", "NumMedia", "To"])))
    pairs = [(k, v) for k, v in pairs if k not in drop]
    if draw(st.booleans()):  # MMS
        count = draw(st.integers(0, 10))
        pairs = [(k, v) for k, v in pairs if k != "NumMedia"] + [("NumMedia", str(count))]
        for index in range(count):
            pairs += [(f"MediaUrl{index}", f"https://api.twilio.com/media/ME{index}"),
                      (f"MediaContentType{index}", draw(st.sampled_from(["image/jpeg", "video/mp4", "text/vcard", ""])))]  # fmt: skip
        if draw(st.booleans()):
            pairs.append(("NumMedia", draw(st.sampled_from(["-1", "x", "1e9", "99999999999999999999", ""]))))
    for _ in range(draw(st.integers(0, 3))):  # repeated keys, existing or new, with odd values
        key = draw(st.sampled_from(["Body", "From", "MessageSid", "NumMedia", "OptOutType"]) | ODD_TEXT)
        pairs.append((key, draw(ODD_TEXT)))
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    return pairs


@settings(max_examples=FUZZ_EXAMPLES * 8, deadline=None, suppress_health_check=list(HealthCheck))
@given(pairs=hostile_forms())
def test_signed_inbound_forms_are_answered_200_or_400_and_stored_verbatim(
    active_interview, webhook_env, pairs
):
    note(f"form: {pairs!r}")
    form = {k.replace("\x00", ""): v.replace("\x00", "") for k, v in first_values(pairs).items()}
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    phone = (form.get("From") or "").strip()
    earlier = stored(webhook_env, sid) if sid else None  # a repeated odd MessageSid is a Twilio retry
    response = post("/api/sms/inbound", pairs)
    assert response.status in (200, 400), response
    if response.status == 400:
        assert not sid or not phone, response
        assert response.content_type == "application/problem+json"
        return
    assert response.content_type == "text/xml"
    row = stored(webhook_env, sid)
    assert row is not None, f"{sid} was answered 200 but not stored"
    if earlier is not None:
        assert row == earlier  # stored once
        return
    assert row[0] == phone
    if row[2] != "joined_answer":  # a joined answer's row keeps the text; the answer holds the join
        assert row[1] == expected_body(form)


@settings(max_examples=FUZZ_EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    pairs=hostile_forms(),
    forgery=st.sampled_from(
        ["absent", "empty", "garbage", "other token", "internal url", "tampered", "reused"]
    ),
)
def test_inbound_without_a_valid_signature_is_403_and_stores_nothing(webhook_env, pairs, forgery):
    note(f"form: {pairs!r}, forgery: {forgery}")
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    url = PUBLIC_BASE_URL + "/api/sms/inbound"
    signature = {
        "absent": None,
        "empty": "",
        "garbage": "bm90IGEgc2lnbmF0dXJl\x7f==",
        "other token": twilio_signature(url, params, token="not-the-auth-token-000000000000"),
        "internal url": twilio_signature("http://localhost:7071/api/sms/inbound", params),
        "tampered": twilio_signature(url, params),
        "reused": twilio_signature(url, {"MessageSid": ["SMother"], "Body": ["hi"]}),
    }[forgery]
    if forgery == "tampered":
        pairs = [*pairs, ("Body", "tampered in transit")]
    before = inbound_count(webhook_env)
    response = post("/api/sms/inbound", pairs, signature=signature)
    assert response.status == 403, response
    assert inbound_count(webhook_env) == before


STATUS_VALUES = (
    st.sampled_from(
        ["queued", "sending", "sent", "delivered", "undelivered", "failed", "read", "", "DELIVERED"]
    )
    | ODD_TEXT
)
ERROR_CODES = (
    st.sampled_from(["", "30003", "30007", "21610", "63018", "-1", "x", "99999999999999999999"]) | ODD_TEXT
)


SENT_SID = "SMsent000000000000000000000000000"  # a question sent in the active interview


@pytest.fixture(scope="module")
def sent_question(active_interview: str, webhook_env: str) -> str:
    with psycopg2.connect(webhook_env) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO outbound_messages (dedupe_key, interview_id, sid, kind) VALUES (%s, %s, %s, 'question')",
                    (f"fuzz:{SENT_SID}", active_interview, SENT_SID))  # fmt: skip
    return SENT_SID


@settings(max_examples=FUZZ_EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    sid=st.sampled_from([SENT_SID, "SMunknown0000000000000000000000000"]) | ODD_TEXT,
    status=STATUS_VALUES,
    code=ERROR_CODES,
    extra=st.lists(st.tuples(ODD_TEXT, ODD_TEXT), max_size=3),
    drop=st.sets(st.sampled_from(["MessageSid", "SmsSid", "MessageStatus", "SmsStatus", "ErrorCode"])),
)
def test_signed_status_callbacks_are_never_5xx(webhook_env, sent_question, sid, status, code, extra, drop):
    pairs = [("MessageSid", sid), ("SmsSid", sid), ("MessageStatus", status), ("SmsStatus", status),
             ("ErrorCode", code), ("To", ACTIVE_PHONE), ("AccountSid", "AC" + "0" * 32)]  # fmt: skip
    pairs = [(k, v) for k, v in pairs if k not in drop] + extra
    note(f"form: {pairs!r}")
    response = post("/api/sms/status", pairs)
    assert response.status == 200, response
    assert response.content_type == "text/xml"
    forged = post(
        "/api/sms/status", pairs, signature=twilio_signature(PUBLIC_BASE_URL + "/api/sms/status", {})
    )
    assert forged.status == 403, forged
