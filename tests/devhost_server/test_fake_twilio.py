"""devhost's fake Twilio, driven by the real `twilio` client, and its candidate's phone (/dev/sms/inbound),
with a receiver standing in for the app's webhooks (PUBLIC_BASE_URL points at it)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.devhost_server.conftest import TWILIO_SID, TWILIO_TOKEN, Receiver, ToyHost, running_toy_host

FROM = "+15005550006"
INBOUND = "/api/sms/inbound"


@pytest.fixture(scope="module")
def twilio_host(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> Iterator[ToyHost]:
    with running_toy_host(
        database_url, tmp_path_factory.mktemp("twilio"), env={"PUBLIC_BASE_URL": receiver.url}
    ) as host:
        yield host


@pytest.fixture
def client(twilio_host: ToyHost) -> Client:
    twilio = Client(TWILIO_SID, TWILIO_TOKEN)
    twilio.api.base_url = twilio_host.url
    return twilio


@pytest.fixture
def phone() -> str:
    return f"+1415555{uuid.uuid4().int % 10000:04d}"


def _text(twilio_host: ToyHost, phone: str, body: str, **extra: str) -> requests.Response:
    return twilio_host.post("/dev/sms/inbound", json={"from": phone, "body": body, **extra})


def test_sending_answers_201_with_a_message_sid(twilio_host: ToyHost, client: Client, phone: str) -> None:
    message = client.messages.create(to=phone, from_=FROM, body="Q1/3: How many years of Python?")
    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert (message.status, message.to, message.from_, message.account_sid) == (
        "queued",
        phone,
        FROM,
        TWILIO_SID,
    )
    assert (message.body, message.num_segments, message.direction) == (
        "Q1/3: How many years of Python?",
        "1",
        "outbound-api",
    )

    raw = requests.post(f"{twilio_host.url}/2010-04-01/Accounts/{TWILIO_SID}/Messages.json",
                        data={"To": phone, "MessagingServiceSid": "MG" + "0" * 32, "Body": "hi"},
                        auth=(TWILIO_SID, TWILIO_TOKEN), timeout=10)  # fmt: skip
    assert raw.status_code == 201
    assert raw.json()["messaging_service_sid"] == "MG" + "0" * 32

    outbox = twilio_host.get("/dev/sms/outbox", params={"to": phone}).json()["messages"]
    assert [(m["sid"], m["body"], m["direction"]) for m in outbox][:1] == [(message.sid, message.body, "out")]
    assert len(outbox) == 2


def test_basic_auth_and_the_account_are_checked(twilio_host: ToyHost, phone: str) -> None:
    intruder = Client(TWILIO_SID, "not-the-token")
    intruder.api.base_url = twilio_host.url
    with pytest.raises(TwilioRestException) as refused:
        intruder.messages.create(to=phone, from_=FROM, body="hi")
    assert (refused.value.status, refused.value.code) == (401, 20003)

    other_account = Client("AC" + "f" * 32, TWILIO_TOKEN)
    other_account.api.base_url = twilio_host.url
    with pytest.raises(TwilioRestException) as refused:
        other_account.messages.create(to=phone, from_=FROM, body="hi")
    assert refused.value.status == 401
    assert twilio_host.get("/dev/sms/outbox", params={"to": phone}).json()["messages"] == []


def test_invalid_sends_are_refused_with_twilio_error_codes(client: Client, phone: str) -> None:
    with pytest.raises(TwilioRestException) as no_body:
        client.messages.create(to=phone, from_=FROM, body="")
    assert (no_body.value.status, no_body.value.code) == (400, 21602)
    with pytest.raises(TwilioRestException) as no_sender:
        client.messages.create(to=phone, body="hi")
    assert no_sender.value.code == 21603


def test_status_callbacks_are_signed_and_arrive_queued_sent_delivered(
    client: Client, phone: str, receiver: Receiver
) -> None:
    path = f"/status/{uuid.uuid4().hex}"
    message = client.messages.create(to=phone, from_=FROM, body="hello", status_callback=receiver.url + path)
    callbacks = receiver.wait_for(path, 3)
    assert [c.form["MessageStatus"] for c in callbacks] == ["queued", "sent", "delivered"]
    validator = RequestValidator(TWILIO_TOKEN)
    for callback in callbacks:
        form = callback.form
        assert (form["MessageSid"], form["SmsSid"], form["AccountSid"], form["To"], form["From"]) == (
            message.sid, message.sid, TWILIO_SID, phone, FROM
        )  # fmt: skip
        signature = callback.headers["X-Twilio-Signature"]
        assert validator.validate(receiver.url + path, form, signature)
        assert not RequestValidator("another-token").validate(receiver.url + path, form, signature)
        assert not validator.validate(receiver.url + path + "x", form, signature)

    fetched = client.messages(message.sid).fetch()
    assert (fetched.sid, fetched.status, fetched.body, fetched.to) == (
        message.sid,
        "delivered",
        "hello",
        phone,
    )
    with pytest.raises(TwilioRestException) as missing:
        client.messages("SM" + "0" * 32).fetch()
    assert missing.value.status == 404


def test_stop_blocks_sending_with_21610_until_start(
    twilio_host: ToyHost, client: Client, phone: str, receiver: Receiver
) -> None:
    client.messages.create(to=phone, from_=FROM, body="Q1")
    assert _text(twilio_host, phone, "stop").status_code == 200
    with pytest.raises(TwilioRestException) as blocked:
        client.messages.create(to=phone, from_=FROM, body="Q2")
    assert (blocked.value.status, blocked.value.code) == (400, 21610)

    assert _text(twilio_host, phone, "START").status_code == 200
    assert client.messages.create(to=phone, from_=FROM, body="Welcome back").status == "queued"
    bodies = [m["body"] for m in twilio_host.get("/dev/sms/outbox", params={"to": phone}).json()["messages"]]
    assert bodies == ["Q1", "Welcome back"]
    with_replies = twilio_host.get("/dev/sms/outbox", params={"to": phone, "include_replies": "true"}).json()
    assert [(m["direction"], m["body"]) for m in with_replies["messages"]] == [
        ("out", "Q1"), ("in", "stop"), ("in", "START"), ("out", "Welcome back")
    ]  # fmt: skip


# --- the candidate's phone ----------------------------------------------------------------------------------------
def test_inbound_texts_reach_the_webhook_signed_over_the_public_url(
    twilio_host: ToyHost, phone: str, receiver: Receiver
) -> None:
    before = len(receiver.received(INBOUND))
    result = _text(twilio_host, phone, "Six years of Django")
    assert result.status_code == 200
    assert result.json()["webhook_status"] == 200
    delivered = receiver.received(INBOUND)[before:]
    assert len(delivered) == 1
    form = delivered[0].form
    assert (form["From"], form["To"], form["Body"], form["AccountSid"]) == (
        phone,
        FROM,
        "Six years of Django",
        TWILIO_SID,
    )
    assert form["MessageSid"] == form["SmsSid"] == result.json()["sid"]
    assert re.fullmatch(r"SM[0-9a-f]{32}", form["MessageSid"])
    assert (form["NumMedia"], form["NumSegments"], form["SmsStatus"], form["ApiVersion"]) == (
        "0",
        "1",
        "received",
        "2010-04-01",
    )
    assert "OptOutType" not in form
    signature = delivered[0].headers["X-Twilio-Signature"]
    assert RequestValidator(TWILIO_TOKEN).validate(receiver.url + INBOUND, form, signature)
    assert not RequestValidator(TWILIO_TOKEN).validate(twilio_host.url + INBOUND, form, signature)


def test_a_given_sid_is_reused_as_twilio_does_when_it_retries(
    twilio_host: ToyHost, phone: str, receiver: Receiver
) -> None:
    sid = "SM" + uuid.uuid4().hex
    before = len(receiver.received(INBOUND))
    assert _text(twilio_host, phone, "Yes", sid=sid).json()["sid"] == sid
    assert _text(twilio_host, phone, "Yes", sid=sid).json()["sid"] == sid
    deliveries = receiver.received(INBOUND)[before:]
    assert [d.form["MessageSid"] for d in deliveries] == [sid, sid]
    replies = twilio_host.get("/dev/sms/outbox", params={"to": phone, "include_replies": "true"}).json()[
        "messages"
    ]
    assert [m["sid"] for m in replies] == [sid]  # one message, delivered twice


@pytest.mark.parametrize(
    ("body", "opt_out_type"),
    [
        ("STOP", "STOP"),
        (" unsubscribe ", "STOP"),
        ("help", "HELP"),
        ("Info", "HELP"),
        ("Start", "START"),
        ("YES", "START"),
    ],
)
def test_keywords_carry_their_opt_out_type(
    twilio_host: ToyHost, phone: str, receiver: Receiver, body: str, opt_out_type: str
) -> None:
    before = len(receiver.received(INBOUND))
    _text(twilio_host, phone, body)
    assert receiver.received(INBOUND)[before].form["OptOutType"] == opt_out_type


def test_only_a_message_that_is_exactly_a_keyword_counts_as_twilio_reads_it(
    twilio_host: ToyHost, client: Client, phone: str, receiver: Receiver
) -> None:
    before = len(receiver.received(INBOUND))
    _text(twilio_host, phone, "please stop")
    assert "OptOutType" not in receiver.received(INBOUND)[before].form
    assert client.messages.create(to=phone, from_=FROM, body="still allowed").status == "queued"

    _text(twilio_host, phone, "QUIT")
    with pytest.raises(TwilioRestException):
        client.messages.create(to=phone, from_=FROM, body="blocked")
    _text(twilio_host, phone, "yes")  # YES opts back in
    assert client.messages.create(to=phone, from_=FROM, body="allowed again").status == "queued"


def test_the_webhook_status_comes_back_and_bad_input_is_refused(
    twilio_host: ToyHost, phone: str, receiver: Receiver
) -> None:
    receiver.status = 403
    try:
        refused = _text(twilio_host, phone, "hello")
    finally:
        receiver.status = 200
    assert refused.status_code == 403
    assert refused.json()["webhook_status"] == 403
    assert _text(twilio_host, "4155550100", "hello").status_code == 400
    assert (
        twilio_host.post(
            "/dev/sms/inbound", data="{not json", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    form = twilio_host.post("/dev/sms/inbound", data={"from": phone, "body": "by form"})
    assert form.status_code == 200
    assert twilio_host.post("/dev/sms/inbound", json=["not", "an", "object"]).status_code == 400


def test_an_unreachable_webhook_is_reported(database_url: str, tmp_path, phone: str) -> None:
    from devhost.azurite import free_port

    nobody = f"http://127.0.0.1:{free_port()}"
    with running_toy_host(database_url, tmp_path, env={"PUBLIC_BASE_URL": nobody}) as host:
        result = _text(host, phone, "hello")
    assert result.status_code == 502
    assert nobody in result.json()["error"]


def test_the_real_app_accepts_the_phone_and_refuses_forged_signatures(app_devhost) -> None:
    phone = "+14155550199"
    delivered = app_devhost.session.post(
        app_devhost.url + "/dev/sms/inbound", json={"from": phone, "body": "hello there"}, timeout=30
    )
    assert delivered.status_code == 200
    assert delivered.json()["webhook_status"] == 200
    assert "<Response" in delivered.json()["webhook_body"]

    form = {
        "MessageSid": "SM" + "1" * 32,
        "From": phone,
        "To": FROM,
        "Body": "forged",
        "AccountSid": TWILIO_SID,
    }
    forged = app_devhost.session.post(
        app_devhost.url + INBOUND,
        data=form,
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        timeout=10,
    )
    assert forged.status_code == 403
    unsigned = app_devhost.session.post(app_devhost.url + INBOUND, data=form, timeout=10)
    assert unsigned.status_code == 403
