"""Recruiter API: pipeline figures."""

from __future__ import annotations

import azure.durable_functions as df

from functions.deferred import deferred_import
from functions.http import ApiRequest, endpoint
from shared.openapi import QueryParam
from shared.schemas.dashboard import Dashboard

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
dashboard = deferred_import("shared.services.dashboard")
DATE_OR_DATE_TIME = {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]}


@endpoint(
    bp,
    "dashboard",
    "GET",
    role="viewer",
    summary="Pipeline figures: statuses, rates, scores, funnel, per job and per day",
    tags=("dashboard",),
    response_model=Dashboard,
    errors=(404, 422),
    description="Figures describe the interviews created in the window; see docs/dashboard.md.",
    query=(
        QueryParam(
            "job_id", "Only this job (404 when there is no such job).", {"type": "string", "format": "uuid"}
        ),
        QueryParam(
            "from",
            "Interviews created at or after this date (UTC midnight) or date-time (no offset: UTC).",
            DATE_OR_DATE_TIME,
        ),
        QueryParam(
            "to",
            "Interviews created before this date-time, or on or before this date (whole day).",
            DATE_OR_DATE_TIME,
        ),
    ),
)
def get_dashboard(request: ApiRequest) -> Dashboard:
    return dashboard.get_dashboard(request.query_uuid("job_id"), request.query("from"), request.query("to"))
