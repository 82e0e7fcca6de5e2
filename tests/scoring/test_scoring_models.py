"""ScoringInput validation and the Verdict bounds."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from shared.scoring.models import JobSpec, ScoringInput, Verdict
from tests.scoring.samples import JOB, QUESTIONS, grounded_verdict, interview


def test_requirements_given_as_text_become_one_item_per_line() -> None:
    job = JobSpec(title="Dev", requirements="- Python\n* SQL\n\n1. Azure\n\u2022 Git  \nREST")
    assert job.requirements == ["Python", "SQL", "Azure", "Git", "REST"]
    assert JobSpec(title="Dev", requirements=["Python"]).requirements == ["Python"]
    assert JobSpec(title="Dev", requirements=None).requirements == []


def test_interview_id_may_be_a_uuid() -> None:
    value = uuid.uuid4()
    assert interview(interview_id=value).interview_id == str(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"questions": [QUESTIONS[0], QUESTIONS[0]]}, "question positions must be unique"),
        (
            {"answers": [{"question_position": 2, "text": "a"}, {"question_position": 2, "text": "b"}]},
            "one answer",
        ),
        ({"answers": [{"question_position": 7, "text": "a"}]}, r"not asked: \[7\]"),
        ({"knocked_out": {"question_position": 9, "reason": "no"}}, "unknown question 9"),
        ({"questions": []}, "at least 1"),
    ],
)
def test_inconsistent_inputs_are_refused(change: dict, message: str) -> None:
    data = {"interview_id": "i", "job": JOB, "questions": QUESTIONS, "answers": []} | change
    with pytest.raises(ValidationError, match=message):
        ScoringInput.model_validate(data)


def test_a_blank_answer_counts_as_not_answered() -> None:
    scoring_input = interview(
        [{"question_position": 2, "text": "  \n "}, {"question_position": 3, "text": "ok"}]
    )
    assert scoring_input.answer_to(2) is None
    assert scoring_input.answer_to(3).text == "ok"
    assert scoring_input.answer_to(4) is None


def test_verdict_bounds_are_enforced() -> None:
    valid = grounded_verdict(interview()).model_dump()
    Verdict.model_validate(valid)
    for path, value in [
        (("job_fit_score",), 101),
        (("job_fit_score",), -1),
        (("recommendation",), "maybe"),
        (("summary",), ""),
        (("summary",), "x" * 1201),
        (("questions", 0, "score"), 11),
        (("questions", 0, "evidence"), "x" * 501),
        (("strengths",), ["s"] * 9),
    ]:
        broken = grounded_verdict(interview()).model_dump()
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(ValidationError):
            Verdict.model_validate(broken)
