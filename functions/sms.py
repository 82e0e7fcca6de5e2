"""Twilio webhooks: inbound SMS and delivery status callbacks.

Both verify X-Twilio-Signature (403 and nothing stored otherwise), answer empty TwiML within milliseconds,
and never answer 500 for a failure they can absorb: a retried delivery changes nothing, and a race with an
orchestration that just finished is logged, not surfaced. They answer 503 only when the message could not
be stored, so that Twilio retries. An inbound message's conversation log entry and automatic reply follow
the response (see shared.services.sms_inbound); a timer catches up on any that a stopped process missed.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl

import azure.durable_functions as df
import azure.functions as func

from functions.deferred import deferred_import
from shared.db import DatabaseUnavailable
from shared.errors import AppError
from shared.openapi import Operation, registry
from shared.twilio_webhook import signature_is_valid

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
inbound_service = deferred_import("shared.services.sms_inbound")
status_service = deferred_import("shared.services.sms_status")
log = logging.getLogger("sms")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
_FORM = {
    "application/x-www-form-urlencoded": {
        "schema": {"type": "object", "additionalProperties": {"type": "string"}},
    }
}
for _path, _id, _summary in (
    ("/api/sms/inbound", "sms_inbound", "Twilio webhook for inbound SMS (signed by Twilio)"),
    ("/api/sms/status", "sms_status", "Twilio delivery status callback (signed by Twilio)"),
):
    registry.add(
        Operation(
            method="POST", path=_path, operation_id=_id, summary=_summary, role=None, tags=("twilio",),
            request_content=_FORM, response_schema={"type": "string"}, response_content_type="text/xml",
            errors=(400, 403, 503),
            description="Authenticated by the X-Twilio-Signature header over PUBLIC_BASE_URL + path and the form.",
        )
    )  # fmt: skip


def _twiml(status: int = 200) -> func.HttpResponse:
    return func.HttpResponse(EMPTY_TWIML, status_code=status, mimetype="text/xml")


def _problem(status: int, detail: str) -> func.HttpResponse:
    import json

    body = {"type": "about:blank", "title": {400: "Bad Request", 403: "Forbidden", 503: "Service Unavailable"}[status],
            "status": status, "detail": detail}  # fmt: skip
    headers = {"Retry-After": "5"} if status == 503 else None
    return func.HttpResponse(
        json.dumps(body), status_code=status, mimetype="application/problem+json", headers=headers
    )


def _signed_form(req: func.HttpRequest) -> dict[str, str] | None:
    """The form fields when the signature is valid, else None. Repeated keys are all signed."""
    body = req.get_body() or b""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return None
    params: dict[str, str | list[str]] = {}
    for key, value in pairs:
        if key in params:
            existing = params[key]
            params[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            params[key] = value
    if not signature_is_valid(req.url, params, req.headers.get("x-twilio-signature")):
        return None
    # PostgreSQL text cannot hold NUL: drop it rather than fail on (and have Twilio retry) such a message.
    return {
        k.replace("\x00", ""): (v[0] if isinstance(v, list) else v).replace("\x00", "")
        for k, v in params.items()
    }


async def _signal(client: df.DurableOrchestrationClient, instance_id: str, name: str, payload: dict) -> None:
    try:
        await client.raise_event(instance_id, name, payload)
    except Exception as exc:  # finished (410) or not found: the answer is stored; the engine self-heals
        log.warning("could not raise %s on %s: %s", name, instance_id, str(exc)[:200])


async def _terminate(client: df.DurableOrchestrationClient, instance_id: str, reason: str) -> None:
    try:
        await client.terminate(instance_id, reason)
    except Exception as exc:  # already finished: nothing to stop
        log.info("terminate %s: %s", instance_id, str(exc)[:200])


@bp.route(route="sms/inbound", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
async def sms_inbound(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    form = _signed_form(req)
    if form is None:
        return _problem(403, "invalid or missing X-Twilio-Signature")
    try:
        result = await asyncio.to_thread(inbound_service.handle_inbound, form)
    except AppError as error:
        return _problem(400, error.detail)
    except DatabaseUnavailable:
        return _problem(503, "the message could not be stored; retry")
    if result.signal is not None:
        await _signal(client, result.signal.instance_id, result.signal.name, result.signal.payload)
    if result.terminate:
        await _terminate(client, result.terminate, "the candidate texted STOP")
    if result.duplicate:  # its follow-up belongs to the first delivery
        return _twiml()
    if not inbound_service.follow_ups.submit(result):  # the log entry and any reply, after the response
        # Too many queued: slow this sender down instead.
        await asyncio.to_thread(inbound_service.follow_up, result)
    return _twiml()


@bp.timer_trigger(schedule="30 */5 * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
def sms_follow_up_catch_up(timer: func.TimerRequest) -> None:
    """Every 5 minutes: log, and reply to, recent inbound messages whose follow-up a stopped process missed."""
    outcome = inbound_service.catch_up_follow_ups()
    if outcome.logged or outcome.replied:
        log.warning("caught up on inbound SMS follow-ups: %d logged, %d replied (of %d checked)",
                    outcome.logged, outcome.replied, outcome.checked)  # fmt: skip


@bp.route(route="sms/status", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
async def sms_status(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    form = _signed_form(req)
    if form is None:
        return _problem(403, "invalid or missing X-Twilio-Signature")
    try:
        result = await asyncio.to_thread(status_service.handle_status, form)
    except DatabaseUnavailable:
        return _problem(503, "the status could not be stored; retry")
    if result.terminate:
        await _terminate(client, result.terminate, f"SMS delivery failed permanently ({result.error_code})")
    return _twiml()
