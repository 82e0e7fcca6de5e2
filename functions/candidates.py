"""Recruiter API: candidates."""

from __future__ import annotations

import azure.durable_functions as df

from functions.deferred import deferred_import
from functions.http import PAGINATION, ApiRequest, endpoint
from shared.openapi import QueryParam
from shared.schemas.candidates import Candidate, CandidateCreate, CandidatePage, CandidateUpdate

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
candidates = deferred_import("shared.services.candidates")
TAGS = ("candidates",)


@endpoint(
    bp,
    "candidates",
    "POST",
    role="recruiter",
    summary="Create a candidate",
    tags=TAGS,
    request_model=CandidateCreate,
    response_model=Candidate,
    status=201,
)
def create_candidate(request: ApiRequest) -> Candidate:
    return candidates.create_candidate(request.json(CandidateCreate))


@endpoint(
    bp,
    "candidates",
    "GET",
    role="viewer",
    summary="List candidates, newest first",
    tags=TAGS,
    response_model=CandidatePage,
    errors=(422,),
    query=(
        QueryParam(
            "job_id", "Only candidates who applied for this job.", {"type": "string", "format": "uuid"}
        ),
        QueryParam("q", "Search text matched against name, email and phone digits."),
        *PAGINATION,
    ),
)
def list_candidates(request: ApiRequest) -> CandidatePage:
    return candidates.list_candidates(
        request.query_uuid("job_id"), request.query("q"), request.limit, request.cursor
    )


@endpoint(
    bp,
    "candidates/{id}",
    "GET",
    role="viewer",
    summary="Get a candidate with resume metadata",
    tags=TAGS,
    response_model=Candidate,
)
def get_candidate(request: ApiRequest) -> Candidate:
    return candidates.get_candidate(request.uuid_param())


@endpoint(
    bp,
    "candidates/{id}",
    "PATCH",
    role="recruiter",
    summary="Change a candidate",
    tags=TAGS,
    request_model=CandidateUpdate,
    response_model=Candidate,
    errors=(409,),
)
def update_candidate(request: ApiRequest) -> Candidate:
    return candidates.update_candidate(request.uuid_param(), request.json(CandidateUpdate))
