"""Does an answer pass a knockout question? A candidate is knocked out only by a clear wrong answer.

`expected` takes one of these forms (case and spacing do not matter):

- "yes" / "no" (also "y", "n", "true", "false"): the answer is read as yes or no (`shared.interview.yesno`:
  "yep", "I do", "of course", "nope", "I don't", "not really", 👍/👎, ...). It fails only when it clearly says
  the opposite; a mixed or unclear answer ("yes, but not on weekends", "it depends") passes.
- ">=N", "<=N" (also ">N", "<N", "=N", "≥N", "≤N"): the first number in the answer, digits or words
  ("two years"), with its qualifier: "less than 2", "over 5", "5+", "3-5", "2 or 3", "at least 4",
  "a year". A range passes when any value in it would ("3-5 years" passes ">=4"). With no number, a clear
  no ("none", "never", "not yet") counts as 0 and anything else passes. Numbers are compared as written:
  "18 months" is 18, whatever unit the question meant, so ask in the unit you check.
- anything else: the answer must contain it, ignoring case, accents, punctuation and spacing
  ("Class A CDL" contains "class a"). Alternatives may be given as "CDL|forklift".
- empty: no expectation, everything passes.

Whatever the form, an answer that is a non-answer ("idk", "?", "what do you mean") passes: the candidate
has not said anything that disqualifies them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from shared.interview.struggle import is_struggling
from shared.interview.text import fold, words
from shared.interview.yesno import Polarity, answer_polarity

_YES_FORMS = frozenset({"yes", "y", "true"})
_NO_FORMS = frozenset({"no", "n", "false"})
# An operator, a number and maybe a unit: ">=2", "> 3.5", ">= 2 years".
_REQUIREMENT = re.compile(r"\s*(>=|=>|≥|<=|=<|≤|>|<|==|=)\s*(\d+(?:\.\d+)?)(?:\s*[^\W\d_][\w ]*)?\s*")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+|[+<>≤≥-]")

_ONES = """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen""".split()
_NUMBER_WORDS = {word: float(i) for i, word in enumerate(_ONES)}
_TENS = {
    w: 10.0 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}

_AFTER_ONE = frozenset(
    "year years yr yrs month months week weeks day days hour hours time times full more or to - +".split()
)

# Qualifiers before the number (longest first) and what they make of it.
_BEFORE: list[tuple[tuple[str, ...], str]] = [
    (("no", "more", "than"), "at_most"),
    (("not", "more", "than"), "at_most"),
    (("less", "than"), "below"),
    (("fewer", "than"), "below"),
    (("not", "quite"), "below"),
    (("more", "than"), "above"),
    (("greater", "than"), "above"),
    (("at", "least"), "at_least"),
    (("at", "most"), "at_most"),
    (("up", "to"), "at_most"),
    (("under",), "below"),
    (("below",), "below"),
    (("almost",), "below"),
    (("nearly",), "below"),
    (("<",), "below"),
    (("≤",), "at_most"),
    (("over",), "above"),
    (("above",), "above"),
    ((">",), "above"),
    (("≥",), "at_least"),
    (("minimum",), "at_least"),
    (("min",), "at_least"),
    (("maximum",), "at_most"),
    (("max",), "at_most"),
]


@dataclass(frozen=True)
class Interval:
    """A set of numbers between two bounds, each bound included or not."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def overlaps(self, other: Interval) -> bool:
        if self.low > other.low or (self.low == other.low and self.low_open):
            low, low_open = self.low, self.low_open
        else:
            low, low_open = other.low, other.low_open
        if self.high < other.high or (self.high == other.high and self.high_open):
            high, high_open = self.high, self.high_open
        else:
            high, high_open = other.high, other.high_open
        return low < high or (low == high and not low_open and not high_open)


def _requirement(expected: str) -> Interval | None:
    match = _REQUIREMENT.fullmatch(expected)
    if match is None:
        return None
    operator, value = match.group(1), float(match.group(2))
    return {
        ">=": Interval(value, math.inf),
        "=>": Interval(value, math.inf),
        "≥": Interval(value, math.inf),
        ">": Interval(value, math.inf, low_open=True),
        "<=": Interval(-math.inf, value),
        "=<": Interval(-math.inf, value),
        "≤": Interval(-math.inf, value),
        "<": Interval(-math.inf, value, high_open=True),
        "=": Interval(value, value),
        "==": Interval(value, value),
    }[operator]


def _number_at(tokens: list[str], i: int) -> tuple[float, int] | None:
    """The number starting at tokens[i] and the index after it: "3", "2.5", "twenty five", "a year"."""
    word = tokens[i]
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if word[0].isdigit():
        return float(word), i + 1
    if word == "one":
        # Mostly a pronoun ("one of my jobs"): a number only at the end or before a unit or a range.
        return (1.0, i + 1) if following is None or following in _AFTER_ONE else None
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word], i + 1
    if word in _TENS:
        j = i + 1 + (following == "-")
        if j < len(tokens) and tokens[j] in _NUMBER_WORDS and _NUMBER_WORDS[tokens[j]] < 10:
            return _TENS[word] + _NUMBER_WORDS[tokens[j]], j + 1
        return _TENS[word], i + 1
    if word in ("a", "an") and following in ("year", "years", "yr", "yrs"):
        return 1.0, i + 1
    if word == "a" and following == "couple":
        return 2.0, i + 2
    return None


def _qualifier_before(tokens: list[str], i: int) -> str | None:
    for words_before, kind in _BEFORE:
        n = len(words_before)
        if i >= n and tuple(tokens[i - n : i]) == words_before:
            return kind
    return None


def answer_interval(answer: str) -> Interval | None:
    """The first number in the answer, with its qualifier, as an interval; None when there is no number."""
    text = _THOUSANDS.sub("", fold(answer)).replace("–", "-").replace("—", "-")
    tokens = _TOKEN.findall(text)
    for i in range(len(tokens)):
        found = _number_at(tokens, i)
        if found is None:
            continue
        value, after = found
        rest = tokens[after : after + 3]
        if rest[:1] in (["-"], ["to"], ["or"], ["and"]) and len(rest) > 1:
            second = _number_at(tokens, after + 1)
            if second is not None:  # "3-5", "2 to 4", "2 or 3", "between 2 and 3"
                return Interval(min(value, second[0]), max(value, second[0]))
        if rest[:1] in (["+"], ["plus"]) or rest[:2] in (["or", "more"], ["or", "over"], ["and", "up"]):
            return Interval(value, math.inf)
        if rest[:2] in (["or", "less"], ["or", "fewer"], ["or", "under"]):
            return Interval(-math.inf, value)
        kind = _qualifier_before(tokens, i)
        if kind == "below":
            return Interval(-math.inf, value, high_open=True)
        if kind == "at_most":
            return Interval(-math.inf, value)
        if kind == "above":
            return Interval(value, math.inf, low_open=True)
        if kind == "at_least":
            return Interval(value, math.inf)
        return Interval(value, value)
    return None


def _normalised(text: str) -> str:
    return " ".join(words(fold(text)))


def passes_knockout(answer: str, expected: str | None) -> bool:
    """False only when the answer clearly contradicts `expected` (forms in the module docstring)."""
    expectation = _normalised(expected or "")
    if not expectation or is_struggling(answer):
        return True
    if expectation in _YES_FORMS or expectation in _NO_FORMS:
        wanted = Polarity.YES if expectation in _YES_FORMS else Polarity.NO
        said = answer_polarity(answer)
        return said is None or said is wanted
    requirement = _requirement(expected or "")
    if requirement is not None:
        stated = answer_interval(answer)
        if stated is None:
            if answer_polarity(answer) is not Polarity.NO:
                return True  # no number and no clear "none": unclear
            stated = Interval(0.0, 0.0)
        return stated.overlaps(requirement)
    said = _normalised(answer)
    return any(_normalised(option) in said for option in (expected or "").split("|") if _normalised(option))
