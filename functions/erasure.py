"""Recruiter API: erasing a candidate; and the timer that retries storage clean-up left by failures."""

from __future__ import annotations

import logging

import azure.durable_functions as df
import azure.functions as func

from functions.deferred import deferred_import
from functions.http import ApiRequest, endpoint
from shared.openapi import QueryParam
from shared.schemas.resumes import CandidateErasure
from shared.settings import get_settings

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
erasure = deferred_import("shared.services.erasure")
log = logging.getLogger(__name__)


@endpoint(
    bp,
    "candidates/{id}",
    "DELETE",
    role="recruiter",
    summary="Erase a candidate and everything stored about them",
    description=(
        "Deletes the candidate, their interviews, answers, scores, resume file and SMS conversation log, "
        "and records the erasure (without personal data) in the audit trail. Refused with 409 while an "
        "interview is active, unless `force=true`, which cancels it and stops its orchestration first. "
        "`cleanup_pending` > 0 means some storage deletions failed and are being retried."
    ),
    tags=("candidates",),
    response_model=CandidateErasure,
    query=(QueryParam("force", "Cancel active interviews first instead of refusing.", {"type": "boolean"}),),
    errors=(409, 422, 503),
    durable_client=True,
)
async def erase_candidate(request: ApiRequest) -> CandidateErasure:
    assert request.principal is not None
    return await erasure.erase_candidate(
        request.uuid_param(),
        force=request.query_bool("force"),
        actor=request.principal.actor,
        settings=get_settings(),
        client=request.client,
    )


@bp.timer_trigger(schedule="0 */15 * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
@bp.durable_client_input(client_name="client")
async def retry_pending_erasures(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    """Every 15 minutes: retry blob/table deletions and orchestration terminations that failed earlier."""
    await erasure.retry_pending(get_settings(), client)
