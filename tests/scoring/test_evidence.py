"""verify_evidence: quotes must come from the answer to the same question; structure must match."""

from __future__ import annotations

from typing import Any

import pytest

from shared.scoring.evidence import canonical_text, verify_evidence
from shared.scoring.models import Verdict
from tests.scoring.samples import grounded_verdict, interview

ANSWERS = [
    {"question_position": 1, "text": "Yes"},
    {"question_position": 2, "text": 'I\'ve used Python since 2018.\nMostly  Django and "FastAPI" services.'},
    {"question_position": 3, "text": "I'd check EXPLAIN output first"},
]


def _verdict_with(evidence: dict[int, str], **entry_changes: Any) -> Verdict:
    data = grounded_verdict(interview(ANSWERS)).model_dump()
    for entry in data["questions"]:
        if entry["question_position"] in evidence:
            entry["evidence"] = evidence[entry["question_position"]]
    for position, changes in entry_changes.items():
        data["questions"][int(position[1:]) - 1].update(changes)
    return Verdict.model_validate(data)


def _messages(verdict: Verdict) -> list[str]:
    return [str(p) for p in verify_evidence(verdict, interview(ANSWERS))]


def test_grounded_verdict_has_no_problems() -> None:
    assert _messages(_verdict_with({2: "I've used Python since 2018."})) == []


@pytest.mark.parametrize(
    "evidence",
    [
        "Python since 2018. Mostly Django",  # newline between joined SMS vs a space
        "Mostly Django and \u201cFastAPI\u201d services.",  # curly double quotes
        "I\u2019ve used Python",  # curly apostrophe
        "\u201cI've used Python since 2018.\u201d",  # wrapped in quotes
        "  Mostly   Django  ",  # extra whitespace
    ],
)
def test_whitespace_and_quote_differences_are_tolerated(evidence: str) -> None:
    assert _messages(_verdict_with({2: evidence})) == []


@pytest.mark.parametrize(
    "evidence",
    [
        "i've used python since 2018.",  # case differs
        "I have used Python since 2018.",  # paraphrase
        "I've used Python since 2018... services.",  # joined passages
        "I'd check EXPLAIN output first",  # verbatim, but the answer to question 3
        '"',  # nothing but a quote character
    ],
)
def test_anything_but_a_verbatim_passage_of_the_same_answer_is_a_problem(evidence: str) -> None:
    assert _messages(_verdict_with({2: evidence})) == [
        "the evidence for question 2 is not a verbatim passage of the candidate's answer to question 2"
    ]


def test_empty_evidence_is_allowed_for_an_answered_question() -> None:
    assert _messages(_verdict_with({2: ""})) == []


def test_unanswered_question_needs_score_zero_and_empty_evidence() -> None:
    assert _messages(_verdict_with({4: "Yes"}, q4={"score": 3})) == [
        "question 4 was not answered, so its score must be 0",
        'question 4 was not answered, so its evidence must be ""',
    ]


def test_missing_duplicate_and_unknown_positions_are_reported() -> None:
    data = grounded_verdict(interview(ANSWERS)).model_dump()
    questions = data["questions"]
    data["questions"] = [questions[0], questions[1], questions[1], questions[3] | {"question_position": 9}]
    assert _messages(Verdict.model_validate(data)) == [
        "question 2 is scored 2 times",
        "question 3 is missing from the verdict",
        "question 4 is missing from the verdict",
        "question 9 was not asked; remove it",
    ]


def test_canonical_form_only_touches_whitespace_quotes_and_prompt_escaping() -> None:
    assert (
        canonical_text(" a\n\tb  \u2018c\u2019 \u201cd\u201d &lt;e&gt; \uff1cf\uff1e ")
        == "a b 'c' \"d\" <e> <f>"
    )
    assert canonical_text("Caf\u0065\u0301") == canonical_text("Caf\u00e9")
    assert canonical_text("ABC") != canonical_text("abc")
