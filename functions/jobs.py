"""Recruiter API: jobs and their questions."""

from __future__ import annotations

import azure.durable_functions as df

from functions.deferred import deferred_import
from functions.http import PAGINATION, ApiRequest, endpoint
from shared.openapi import QueryParam
from shared.schemas.jobs import Job, JobCreate, JobPage, JobUpdate

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
jobs = deferred_import("shared.services.jobs")
TAGS = ("jobs",)


@endpoint(
    bp,
    "jobs",
    "POST",
    role="recruiter",
    summary="Create a job with its questions",
    tags=TAGS,
    request_model=JobCreate,
    response_model=Job,
    status=201,
)
def create_job(request: ApiRequest) -> Job:
    return jobs.create_job(request.json(JobCreate))


@endpoint(
    bp,
    "jobs",
    "GET",
    role="viewer",
    summary="List jobs, newest first",
    tags=TAGS,
    response_model=JobPage,
    errors=(422,),
    query=(
        QueryParam(
            "status", "Only jobs with this status.", {"type": "string", "enum": ["draft", "open", "closed"]}
        ),
        *PAGINATION,
    ),
)
def list_jobs(request: ApiRequest) -> JobPage:
    return jobs.list_jobs(request.query("status"), request.limit, request.cursor)


@endpoint(
    bp,
    "jobs/{id}",
    "GET",
    role="viewer",
    summary="Get a job with its questions",
    tags=TAGS,
    response_model=Job,
)
def get_job(request: ApiRequest) -> Job:
    return jobs.get_job(request.uuid_param())


@endpoint(
    bp,
    "jobs/{id}",
    "PATCH",
    role="recruiter",
    summary="Change a job; `questions` replaces the list",
    tags=TAGS,
    request_model=JobUpdate,
    response_model=Job,
    errors=(409,),
)
def update_job(request: ApiRequest) -> Job:
    return jobs.update_job(request.uuid_param(), request.json(JobUpdate))


@endpoint(
    bp,
    "jobs/{id}",
    "DELETE",
    role="recruiter",
    summary="Delete a job that has no interviews",
    tags=TAGS,
    status=204,
    errors=(409,),
)
def delete_job(request: ApiRequest) -> None:
    jobs.delete_job(request.uuid_param())
