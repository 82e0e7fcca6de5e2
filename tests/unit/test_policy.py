from __future__ import annotations

import pytest

from shared.interview.policy import answer_verdict, decide_after_answer

RESCHEDULE = {"struggle_threshold": 2, "struggle_policy": "reschedule", "max_reschedules": 1}
CONTINUE = {**RESCHEDULE, "struggle_policy": "continue"}


def verdict(struggling=False, knockout_failed=False):
    return {"struggling": struggling, "knockout_failed": knockout_failed}


def test_a_failed_knockout_ends_before_anything_else():
    decision = decide_after_answer(verdict(struggling=True, knockout_failed=True), 1, 0, RESCHEDULE)
    assert decision.action == "knockout"


def test_struggles_count_only_when_consecutive():
    first = decide_after_answer(verdict(struggling=True), 0, 0, RESCHEDULE)
    assert (first.action, first.consecutive_struggles) == ("next", 1)
    recovered = decide_after_answer(verdict(), first.consecutive_struggles, 0, RESCHEDULE)
    assert (recovered.action, recovered.consecutive_struggles) == ("next", 0)


def test_threshold_pauses_then_ends_early_when_pauses_are_used_up():
    pause = decide_after_answer(verdict(struggling=True), 1, 0, RESCHEDULE)
    assert (pause.action, pause.consecutive_struggles, pause.struggled) == ("pause", 0, True)
    limit = decide_after_answer(verdict(struggling=True), 1, 1, RESCHEDULE)
    assert (limit.action, limit.struggled) == ("finish_struggling", True)


def test_continue_policy_flags_but_carries_on():
    decision = decide_after_answer(verdict(struggling=True), 1, 0, CONTINUE)
    assert (decision.action, decision.struggled) == ("next", True)


@pytest.mark.parametrize(
    ("question", "text", "failed"),
    [
        ({"knockout": True, "expected_answer": "yes"}, "No", True),
        ({"knockout": True, "expected_answer": "yes"}, "Yes I am", False),
        ({"knockout": False, "expected_answer": None}, "No", False),
        ({"knockout": True, "expected_answer": ">=2"}, "one year", True),
    ],
)
def test_answer_verdict_keeps_no_words(question, text, failed):
    result = answer_verdict(question, text, struggling=False)
    assert result == {"struggling": False, "knockout_failed": failed}
