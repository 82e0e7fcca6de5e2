"""Knockout answers: a clear wrong answer fails, anything unclear passes (candidates keep their chance)."""

from __future__ import annotations

import math

import pytest

from shared.interview.knockout import Interval, answer_interval, passes_knockout
from shared.interview.yesno import Polarity, answer_polarity


def _answers(text: str) -> list[str]:
    return [a.strip() for a in text.replace("\n", "|").split("|") if a.strip()]


YES_ANSWERS = _answers(
    """
    yes | Yes! | YES | y | Y | yeah | yep | yup | yesss | sure | Sure thing | of course | Of course! | correct
    that's correct | absolutely | definitely | ok | k | I do | I do, thanks | I am | I have | I can | Yes I do
    yes, 3 years | Honestly, yes | Um, yes | 👍 | ✅ | No problem | why not? | I think so | I don't mind
    """
)
NO_ANSWERS = _answers(
    """
    no | No. | NO | n | nope | nah | Nooo | never | not really | not yet | Not at all | of course not
    absolutely not | I don't | I do not | I'm not | I am not | I can't | I cannot | I won't | I haven't
    I don't have one | I don't need sponsorship | No, I'm a citizen | No, I have never had one | I have never
    Unfortunately no | Um, I'm afraid I can't | 👎 | ❌ | none | I don't think so | nope, sorry
    I don't understand Spanish | I don't know anyone there | I don't know how to drive
    No, I would need sponsorship | No, I could only start in March
    """
)
UNCLEAR_ANSWERS = _answers(
    """
    maybe | it depends | sometimes | I have a green card | I am authorized to work in the US
    Yes, but not on weekends | No, but I can get a ride | I don't have a car but I can get a ride
    yes and no | Ok, no I don't | hmm | 3 years | I'd rather not say | idk | not sure | I don't know
    I don't know how to answer that | I'm not sure yet
    what do you mean? | 🤷
    """
) + [""]


@pytest.mark.parametrize("answer", YES_ANSWERS)
def test_clear_yes_answers_read_as_yes(answer: str) -> None:
    assert answer_polarity(answer) is Polarity.YES


@pytest.mark.parametrize("answer", NO_ANSWERS)
def test_clear_no_answers_read_as_no(answer: str) -> None:
    assert answer_polarity(answer) is Polarity.NO


@pytest.mark.parametrize("answer", UNCLEAR_ANSWERS)
def test_mixed_or_unclear_answers_read_as_neither(answer: str) -> None:
    assert answer_polarity(answer) is None


@pytest.mark.parametrize("expected", ["yes", "Yes", " YES ", "y", "true"])
def test_expected_yes_fails_only_a_clear_no(expected: str) -> None:
    assert all(passes_knockout(a, expected) for a in YES_ANSWERS + UNCLEAR_ANSWERS)
    assert not any(passes_knockout(a, expected) for a in NO_ANSWERS)


@pytest.mark.parametrize("expected", ["no", "No", "n", "false"])
def test_expected_no_fails_only_a_clear_yes(expected: str) -> None:
    assert all(passes_knockout(a, expected) for a in NO_ANSWERS + UNCLEAR_ANSWERS)
    assert not any(passes_knockout(a, expected) for a in YES_ANSWERS)


def test_a_statement_starting_with_i_have_is_not_a_yes() -> None:
    # "Do you require visa sponsorship?" (expected "no") must not knock out "I have a green card".
    assert passes_knockout("I have a green card", "no")


@pytest.mark.parametrize(
    ("answer", "expected", "passes"),
    [
        ("3", ">=2", True),
        ("2", ">=2", True),
        ("1", ">=2", False),
        ("I have 5 years of experience", ">=2", True),
        ("about 1.5 years", ">=2", False),
        ("2.5 yrs", ">=2", True),
        ("two years", ">=2", True),
        ("twenty-five", ">=21", True),
        ("a year", ">=2", False),
        ("a couple of years", ">=2", True),
        ("less than 2 years", ">=2", False),
        ("under 2", ">=2", False),
        ("almost 2 years", ">=2", False),
        ("more than 1 year", ">=2", True),  # 1.5 is more than 1: could be enough
        ("over 10", ">=2", True),
        ("10+ years", ">=2", True),
        ("5 or more", ">=2", True),
        ("1-2 years", ">=2", True),  # a range passes when any of it would
        ("3-5 years", ">=4", True),
        ("3–5 years", ">=6", False),  # en dash
        ("2 or 3", ">=3", True),
        ("between 2 and 3 years", ">=4", False),
        ("1,500", ">=1000", True),
        ("none", ">=1", False),
        ("No experience yet", ">=1", False),
        ("never", ">=1", False),
        ("zero", ">=1", False),
        ("I have one", ">=2", False),
        ("One of my jobs lasted 3 years", ">=2", True),  # "one" as a pronoun is not the number
        ("yes", ">=2", True),  # no number, no clear no: unclear
        ("a few", ">=2", True),
        ("idk", ">=2", True),
        ("3", "<=5", True),
        ("7", "<=5", False),
        ("up to 5", "<=5", True),
        ("at least 6", "<=5", False),
        ("5", "<5", False),
        ("4", "<5", True),
        ("5", ">5", False),
        ("over 5", ">5", True),
        ("5", "=5", True),
        ("6", "=5", False),
        ("3", "≥2", True),
        ("1", "≥ 2", False),
        ("3", ">= 2 years", True),
        ("1", ">= 2 years", False),
    ],
)
def test_numeric_expectations(answer: str, expected: str, passes: bool) -> None:
    assert passes_knockout(answer, expected) is passes


@pytest.mark.parametrize(
    ("answer", "expected", "passes"),
    [
        ("I have a Class A CDL", "class a", True),
        ("I have a CLASS-A cdl", "Class A", True),
        ("Bachelor's in nursing", "bachelors", True),
        ("Bachelor's in nursing", "bachelor", True),
        ("Spanish and English", "spanish", True),
        ("English only", "spanish", False),
        ("forklift", "CDL|forklift", True),
        ("neither", "CDL|forklift", False),
        ("São Paulo", "sao paulo", True),
        ("I don't know", "CDL", True),  # a non-answer is never a knockout
    ],
)
def test_other_expectations_are_containment(answer: str, expected: str, passes: bool) -> None:
    assert passes_knockout(answer, expected) is passes


@pytest.mark.parametrize("expected", ["", "   ", None, "!!!"])
def test_no_expectation_always_passes(expected: str | None) -> None:
    assert passes_knockout("no", expected)
    assert passes_knockout("", expected)


@pytest.mark.parametrize("answer", ["idk", "?", "what do you mean", "", "🤷", "can you repeat that"])
@pytest.mark.parametrize("expected", ["yes", "no", ">=2", "<=1", "CDL"])
def test_non_answers_never_knock_out(answer: str, expected: str) -> None:
    assert passes_knockout(answer, expected)


def test_answer_interval_reads_the_first_number_only() -> None:
    assert answer_interval("I'm 25 and have 2 years") == Interval(25, 25)
    assert answer_interval("no numbers here") is None


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (Interval(1, 2), Interval(2, 3), True),
        (Interval(1, 2, high_open=True), Interval(2, 3), False),
        (Interval(1, 2), Interval(2, 3, low_open=True), False),
        (Interval(-math.inf, 5), Interval(5, math.inf), True),
        (Interval(3, 3), Interval(4, math.inf), False),
        (Interval(0, 10), Interval(4, 5), True),
    ],
)
def test_interval_overlap_respects_open_bounds(a: Interval, b: Interval, overlap: bool) -> None:
    assert a.overlaps(b) is overlap
    assert b.overlaps(a) is overlap
