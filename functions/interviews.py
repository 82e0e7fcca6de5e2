"""Recruiter API: SMS interviews. Starting and signalling orchestrations goes through the durable client."""

from __future__ import annotations

import asyncio
import logging

import azure.durable_functions as df

from functions.deferred import deferred_import
from functions.http import PAGINATION, ApiRequest, endpoint
from shared.errors import ServiceUnavailable
from shared.openapi import QueryParam
from shared.schemas.interviews import (
    Interview,
    InterviewCreate,
    InterviewPage,
    MessageList,
    RescheduleRequest,
)

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
interview_flow = deferred_import("shared.services.interview_flow")
interviews = deferred_import("shared.services.interviews")
log = logging.getLogger("interview")
TAGS = ("interviews",)
STATUSES = ["scheduled", "in_progress", "paused", "completed", "expired", "cancelled", "opted_out", "failed"]


@endpoint(bp, "interviews", "POST", role="recruiter", summary="Start an SMS interview for a candidate and a job",
          tags=TAGS, request_model=InterviewCreate, response_model=Interview, status=201, errors=(409, 503),
          durable_client=True,
          description="409 when the number already has an active interview, opted out, or has not consented.")  # fmt: skip
async def create_interview(request: ApiRequest) -> Interview:
    created = await asyncio.to_thread(interviews.create_interview, request.json(InterviewCreate))
    try:
        await request.client.start_new(
            interviews.ORCHESTRATOR,
            instance_id=str(created.id),
            client_input={"interview_id": str(created.id)},
        )
    except Exception as exc:
        log.error("could not start the orchestration for %s: %s", created.id, str(exc)[:200])
        await asyncio.to_thread(interviews.mark_start_failed, created.id, type(exc).__name__)
        raise ServiceUnavailable(
            "the interview could not be started; it was marked failed, try again"
        ) from None
    return created


@endpoint(bp, "interviews", "GET", role="viewer", summary="List interviews, newest first", tags=TAGS,
          response_model=InterviewPage, errors=(422,),
          query=(QueryParam("status", "Only interviews with this status.", {"type": "string", "enum": STATUSES}),
                 QueryParam("job_id", "Only interviews for this job.", {"type": "string", "format": "uuid"}),
                 QueryParam("candidate_id", "Only this candidate's interviews.", {"type": "string", "format": "uuid"}),
                 *PAGINATION))  # fmt: skip
def list_interviews(request: ApiRequest) -> InterviewPage:
    return interviews.list_interviews(
        request.query("status"), request.query_uuid("job_id"), request.query_uuid("candidate_id"),
        request.limit, request.cursor,
    )  # fmt: skip


@endpoint(bp, "interviews/{id}", "GET", role="viewer", summary="An interview: status, progress, answers, score",
          tags=TAGS, response_model=Interview)  # fmt: skip
def get_interview(request: ApiRequest) -> Interview:
    return interviews.get_interview(request.uuid_param())


@endpoint(bp, "interviews/{id}/messages", "GET", role="viewer", tags=TAGS, response_model=MessageList,
          summary="The whole SMS conversation with delivery statuses", errors=(503,))  # fmt: skip
def interview_messages(request: ApiRequest) -> MessageList:
    return interviews.conversation(request.uuid_param())


@endpoint(bp, "interviews/{id}/cancel", "POST", role="recruiter", summary="Cancel an active interview",
          tags=TAGS, response_model=Interview, errors=(409,), durable_client=True)  # fmt: skip
async def cancel_interview(request: ApiRequest) -> Interview:
    interview_id = request.uuid_param()
    row = await asyncio.to_thread(interviews.cancel_interview, interview_id)
    try:
        await request.client.terminate(str(interview_id), "cancelled by the recruiter")
    except Exception as exc:  # already finished: nothing left to stop
        log.info("terminate %s: %s", interview_id, str(exc)[:200])
    await asyncio.to_thread(_tell_candidate_cancelled, row)
    return await asyncio.to_thread(interviews.get_interview, interview_id)


def _tell_candidate_cancelled(row: dict) -> None:
    from shared.interview import messages

    try:
        interview_flow.send_sms(row["phone_e164"], messages.cancelled(), kind="cancelled",
                                dedupe_key=f"{row['id']}:cancelled", interview_id=str(row["id"]),
                                candidate_id=str(row["candidate_id"]))  # fmt: skip
    except Exception as exc:
        log.warning("could not tell the candidate about the cancellation: %s", str(exc)[:200])


@endpoint(bp, "interviews/{id}/reschedule", "POST", role="recruiter", tags=TAGS, status=202,
          summary="Move an active interview: it pauses and continues at start_at",
          request_model=RescheduleRequest, response_model=Interview, errors=(409,), durable_client=True)  # fmt: skip
async def reschedule_interview(request: ApiRequest) -> Interview:
    interview, signal = await asyncio.to_thread(
        interviews.reschedule_interview, request.uuid_param(), request.json(RescheduleRequest)
    )
    await request.client.raise_event(signal.instance_id, signal.name, signal.payload)
    return interview
