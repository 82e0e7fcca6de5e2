"""The Twilio webhooks against fixed hostile shapes: repeated keys, NUL, huge bodies, bytes that are not
UTF-8, the wrong content type, nothing at all. Each was a question the fuzzing asked; some found bugs.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from tests.hostile.webhook_support import (
    MAX_STORED_BODY,
    OTHER_PHONES,
    PUBLIC_BASE_URL,
    new_sid,
    post,
    stored,
    twilio_form,
    twilio_signature,
)


def test_repeated_keys_with_a_valid_signature_are_accepted(active_interview, webhook_env):
    sid = new_sid()
    pairs = [
        *twilio_form(sid, OTHER_PHONES[0], "first"),
        ("Body", "second"),
        ("MediaUrl0", "a"),
        ("MediaUrl0", "b"),
    ]
    assert post("/api/sms/inbound", pairs).status == 200
    assert stored(webhook_env, sid)[1] == "first"
    status = [("MessageSid", sid), ("MessageStatus", "delivered"), ("MessageStatus", "sent"), ("To", "+1")]
    assert post("/api/sms/status", status).status == 200


def test_repeated_keys_with_a_forged_signature_are_403(webhook_env):
    sid = new_sid()
    pairs = [*twilio_form(sid, OTHER_PHONES[0], "first"), ("Body", "second")]
    assert post("/api/sms/inbound", pairs, signature="forged").status == 403
    assert post("/api/sms/status", pairs, signature="forged").status == 403
    assert stored(webhook_env, sid) is None


def test_nul_characters_are_dropped_not_a_server_error(active_interview, webhook_env):
    sid = new_sid()
    pairs = twilio_form(sid, OTHER_PHONES[1] + "\x00", "before\x00after")
    response = post("/api/sms/inbound", pairs)
    assert response.status == 200, response
    assert stored(webhook_env, sid)[:2] == (OTHER_PHONES[1], "beforeafter")


@pytest.mark.parametrize("size", [100 * 1024, 2 * 1024 * 1024])
def test_huge_signed_bodies_are_stored_cut_to_twilios_limit(active_interview, webhook_env, size):
    sid = new_sid()
    body = ("Ж" + "x" * 98 + "🙂") * (size // 104)
    response = post("/api/sms/inbound", twilio_form(sid, OTHER_PHONES[2], body))
    assert response.status == 200, response
    assert stored(webhook_env, sid)[1] == body[:MAX_STORED_BODY]
    unsigned = post("/api/sms/inbound", twilio_form(new_sid(), OTHER_PHONES[2], body), signature=None)
    assert unsigned.status == 403


def test_huge_unsigned_body_of_junk_is_403(webhook_env):
    response = post("/api/sms/inbound", [], signature="x", raw=b"A=" + b"%ZZ" * 700_000)
    assert response.status == 403


@pytest.mark.parametrize(
    "raw",
    [
        b"Body=\xff\xfe&From=%2B14155550161&MessageSid=SMraw1",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"\xc3\x28=\xa0\xa1",
    ],
    ids=["latin1-in-form", "binary", "invalid-utf8"],
)
def test_bodies_that_are_not_utf8_are_rejected_without_storing(webhook_env, raw):
    # Twilio sends UTF-8; bytes that are not text have no defined signature, so even one computed over a
    # Latin-1 reading of them is refused like a forgery.
    params = {k: [v] for k, v in parse_qsl(raw.decode("latin-1"), keep_blank_values=True)}
    signature = twilio_signature(PUBLIC_BASE_URL + "/api/sms/inbound", params)
    response = post("/api/sms/inbound", [], signature=signature, raw=raw)
    assert response.status == 403, response
    assert stored(webhook_env, "SMraw1") is None


def test_percent_encoded_invalid_utf8_is_decoded_with_replacement_characters(active_interview, webhook_env):
    sid = new_sid()
    raw = f"MessageSid={sid}&From=%2B14155550161&Body=caf%E9%FF".encode()
    params = {"MessageSid": [sid], "From": ["+14155550161"], "Body": ["caf\ufffd\ufffd"]}
    response = post("/api/sms/inbound", [], signature=twilio_signature(PUBLIC_BASE_URL + "/api/sms/inbound", params), raw=raw)  # fmt: skip
    assert response.status == 200, response
    assert stored(webhook_env, sid)[1] == "caf\ufffd\ufffd"


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "", "multipart/form-data; boundary=x"]
)
def test_wrong_content_type_is_never_a_server_error(webhook_env, content_type):
    raw = b'{"MessageSid": "SMjson", "From": "+14155550161", "Body": "hi"}'
    # Read as a form, the JSON is one key without a value; a signer holding the token would sign that.
    params = {key: [value] for key, value in parse_qsl(raw.decode(), keep_blank_values=True)}
    signature = twilio_signature(PUBLIC_BASE_URL + "/api/sms/inbound", params)
    response = post("/api/sms/inbound", [], signature=signature, raw=raw, content_type=content_type)
    assert response.status == 400, response
    assert post("/api/sms/inbound", [], signature="forged", raw=raw, content_type=content_type).status == 403


def test_empty_body_signed_is_400_and_unsigned_is_403(webhook_env):
    assert post("/api/sms/inbound", []).status == 400
    assert post("/api/sms/inbound", [], signature=None).status == 403
    assert post("/api/sms/status", []).status == 200  # nothing to update
    assert post("/api/sms/status", [], signature=None).status == 403
