from __future__ import annotations

from typing import Any
from uuid import UUID

from shared.data import jobs as job_store
from shared.db import transaction
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.schemas.jobs import (
    InterviewSettings,
    Job,
    JobCreate,
    JobPage,
    JobSummary,
    JobUpdate,
    Question,
    QuestionIn,
)


def _to_job(row: dict, questions: list[dict]) -> Job:
    settings = {c: row[c] for c in job_store.SETTINGS_COLUMNS}
    settings["quiet_hours_start"] = row["quiet_hours_start"].strftime("%H:%M")
    settings["quiet_hours_end"] = row["quiet_hours_end"].strftime("%H:%M")
    return Job(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        requirements=list(row["requirements"]),
        status=row["status"],
        interview_settings=InterviewSettings.model_construct(**settings),
        questions=[Question(**q) for q in questions],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _clean_requirements(requirements: list[str]) -> list[str]:
    cleaned = [r.strip() for r in requirements if r and r.strip()]
    for index, requirement in enumerate(cleaned):
        if len(requirement) > 300:
            raise ValidationFailed.single(f"requirements.{index}", "at most 300 characters")
    return cleaned


def _question_rows(questions: list[QuestionIn]) -> list[dict[str, Any]]:
    return [q.model_dump() for q in questions]


def create_job(request: JobCreate) -> Job:
    fields: dict[str, Any] = {
        "title": request.title,
        "description": request.description,
        "requirements": _clean_requirements(request.requirements),
        "status": request.status,
        **request.interview_settings.model_dump(),
    }
    if any(q.id for q in request.questions):
        raise ValidationFailed.single("questions", "a new job's questions cannot carry ids")
    with transaction() as cur:
        row = job_store.insert(cur, fields)
        job_store.replace_questions(cur, row["id"], _question_rows(request.questions))
        return _to_job(row, job_store.questions_of(cur, row["id"]))


def get_job(job_id: UUID) -> Job:
    with transaction() as cur:
        row = job_store.get(cur, job_id)
        if row is None:
            raise NotFound(f"no job with id {job_id}")
        return _to_job(row, job_store.questions_of(cur, job_id))


def list_jobs(status: str | None, limit: int, cursor: str | None) -> JobPage:
    if status is not None and status not in ("draft", "open", "closed"):
        raise ValidationFailed.single("status", "must be one of draft, open, closed")
    with transaction() as cur:
        rows, next_cursor = job_store.list_page(cur, status, limit, cursor)
    return JobPage(items=[JobSummary(**r) for r in rows], next_cursor=next_cursor)


def update_job(job_id: UUID, request: JobUpdate) -> Job:
    changes = request.model_dump(exclude_unset=True, exclude={"interview_settings", "questions"})
    if "requirements" in changes:
        changes["requirements"] = _clean_requirements(changes["requirements"] or [])
    for name in ("title", "status", "requirements", "description"):
        if name in changes and changes[name] is None:
            raise ValidationFailed.single(name, "cannot be null")
    if request.interview_settings is not None:
        patch = request.interview_settings.model_dump(exclude_unset=True)
        for name, value in patch.items():
            if value is None and name != "reschedule_delay_minutes":
                raise ValidationFailed.single(f"interview_settings.{name}", "cannot be null")
        changes.update(patch)
    with transaction() as cur:
        if job_store.get(cur, job_id, for_update=True) is None:
            raise NotFound(f"no job with id {job_id}")
        if request.questions is not None:
            _check_question_edit(cur, job_id, request.questions)
        row = job_store.update(cur, job_id, changes)
        if request.questions is not None:
            job_store.replace_questions(cur, job_id, _question_rows(request.questions))
        return _to_job(row, job_store.questions_of(cur, job_id))


def _check_question_edit(cur: Any, job_id: UUID, questions: list[QuestionIn]) -> None:
    if job_store.count_interviews(cur, job_id, active_only=True):
        raise Conflict("questions cannot change while interviews for this job are running")
    known = job_store.existing_question_ids(cur, job_id)
    ids = [str(q.id) for q in questions if q.id]
    for index, question in enumerate(questions):
        if question.id and str(question.id) not in known:
            raise ValidationFailed.single(f"questions.{index}.id", "not a question of this job")
    if len(ids) != len(set(ids)):
        raise ValidationFailed.single("questions", "a question id appears twice")


def delete_job(job_id: UUID) -> None:
    with transaction() as cur:
        if job_store.get(cur, job_id, for_update=True) is None:
            raise NotFound(f"no job with id {job_id}")
        if job_store.count_interviews(cur, job_id):
            raise Conflict(
                "the job has interviews; close it instead (PATCH status=closed) to keep their history"
            )
        job_store.delete(cur, job_id)
