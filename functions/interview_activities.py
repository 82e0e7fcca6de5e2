"""Activities of the interview orchestration: each one a step with its side effects (database, SMS, queue).

They run at least once, so each is idempotent (see shared/services/interview_flow.py).
"""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from functions.deferred import deferred_import

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
interview_flow = deferred_import("shared.services.interview_flow")


@bp.activity_trigger(input_name="payload")
def interview_load_plan(payload: dict[str, Any]) -> dict[str, Any] | None:
    return interview_flow.load_plan(payload["interview_id"])


@bp.activity_trigger(input_name="payload")
def interview_greet(payload: dict[str, Any]) -> dict[str, Any]:
    return interview_flow.greet(payload["interview_id"])


@bp.activity_trigger(input_name="payload")
def interview_ask(payload: dict[str, Any]) -> dict[str, Any]:
    return interview_flow.ask(payload["interview_id"], payload["position"], payload["attempt"])


@bp.activity_trigger(input_name="payload")
def interview_remind(payload: dict[str, Any]) -> dict[str, Any]:
    return interview_flow.remind(
        payload["interview_id"], payload["position"], payload["attempt"], payload["number"]
    )


@bp.activity_trigger(input_name="payload")
def interview_pause(payload: dict[str, Any]) -> dict[str, Any]:
    return interview_flow.pause(payload["interview_id"], payload["resume_at"], payload["reason"])


@bp.activity_trigger(input_name="payload")
def interview_resume(payload: dict[str, Any]) -> dict[str, Any]:
    return interview_flow.resume(payload["interview_id"])


@bp.activity_trigger(input_name="payload")
def interview_finish(payload: dict[str, Any]) -> dict[str, Any]:
    return interview_flow.finish(
        payload["interview_id"],
        payload["outcome"],
        position=payload.get("position"),
        attempt=payload.get("attempt"),
        flags=payload.get("flags") or [],
        reason=payload.get("reason"),
    )
