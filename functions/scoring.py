"""Scoring: the Service Bus trigger that turns a finished interview into a Job Fit Score, and rescoring."""

from __future__ import annotations

import json
import logging

import azure.durable_functions as df
import azure.functions as func

from functions.deferred import deferred_import
from functions.http import ApiRequest, endpoint
from shared.adapters.scoring_queue import SCORING_QUEUE
from shared.schemas.interviews import Interview

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
interviews = deferred_import("shared.services.interviews")
scoring = deferred_import("shared.services.scoring")
log = logging.getLogger("scoring")


@bp.service_bus_queue_trigger(arg_name="message", queue_name=SCORING_QUEUE, connection="ServiceBusConnection")
def score_interview(message: func.ServiceBusMessage) -> None:
    try:
        body = json.loads(message.get_body())
        interview_id, request_number = str(body["interview_id"]), int(body["request_number"])
    except (ValueError, KeyError, TypeError):
        log.error("discarding a malformed scoring message %s", message.message_id)
        return  # retrying cannot fix it
    delivery_count = getattr(message, "delivery_count", None) or 1
    scoring.score_interview(interview_id, request_number, delivery_count)


@endpoint(bp, "interviews/{id}/score", "POST", role="recruiter", tags=("interviews",), status=202,
          summary="Queue a fresh scoring (the new score is kept beside earlier ones)",
          response_model=Interview, errors=(409,))  # fmt: skip
def rescore_interview(request: ApiRequest) -> Interview:
    interview_id = request.uuid_param()
    scoring.request_rescore(str(interview_id))
    return interviews.get_interview(interview_id)
