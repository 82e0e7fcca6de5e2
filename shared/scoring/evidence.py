"""Checks that a verdict is grounded in the transcript: its evidence quotes what the candidate actually said.

Matching rule. Evidence must be a contiguous substring of the answer to the same question after both are
put in the same canonical form, which changes only:
- whitespace: every run of whitespace (spaces, newlines between joined SMS, tabs) becomes one space, and
  the ends are trimmed;
- quote characters: curly/low/prime single quotes and the modifier apostrophe become ', curly/low/prime
  double quotes and guillemets become "; quote characters wrapping the whole evidence are ignored;
- the escaping the prompt applies (see prompt.neutralise): &lt; / &gt; and angle-bracket look-alikes
  become < / >, so a quote of the escaped text the model saw still matches;
- Unicode NFC composition (invisible: composed and decomposed accents compare equal).
Everything else, including case, must match exactly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from shared.scoring.models import ScoringInput, Verdict
from shared.scoring.prompt import LEFT_ANGLES, RIGHT_ANGLES

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys(LEFT_ANGLES, "<"),
        **dict.fromkeys(RIGHT_ANGLES, ">"),
    }
)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class EvidenceProblem:
    question_position: int | None  # None for problems with the verdict as a whole
    message: str

    def __str__(self) -> str:
        return self.message


def canonical_text(text: str) -> str:
    """The form in which evidence and answers are compared (see the module docstring)."""
    text = unicodedata.normalize("NFC", text).replace("&lt;", "<").replace("&gt;", ">")
    return _WHITESPACE.sub(" ", text.translate(_QUOTES)).strip()


def quote_appears_in(evidence: str, answer: str) -> bool:
    quote = canonical_text(evidence).strip("'\" ")
    return bool(quote) and quote in canonical_text(answer)


def verify_evidence(verdict: Verdict, scoring_input: ScoringInput) -> list[EvidenceProblem]:
    """Every problem that makes the verdict unacceptable for this interview; empty when it is grounded.

    - each question asked appears exactly once, and no other position appears;
    - a question without an answer (skipped, or blank) has score 0 and empty evidence;
    - non-empty evidence is a verbatim quote of the answer to that same question.
    """
    problems: list[EvidenceProblem] = []
    asked = [q.position for q in scoring_input.ordered_questions]
    given = [entry.question_position for entry in verdict.questions]

    for position in asked:
        count = given.count(position)
        if count == 0:
            problems.append(EvidenceProblem(position, f"question {position} is missing from the verdict"))
        elif count > 1:
            problems.append(EvidenceProblem(position, f"question {position} is scored {count} times"))
    for position in sorted(set(given) - set(asked)):
        problems.append(EvidenceProblem(position, f"question {position} was not asked; remove it"))

    seen: set[int] = set()
    for entry in verdict.questions:
        position = entry.question_position
        if position not in asked or position in seen:
            continue
        seen.add(position)
        answer = scoring_input.answer_to(position)
        if answer is None:
            if entry.score != 0:
                problems.append(
                    EvidenceProblem(position, f"question {position} was not answered, so its score must be 0")
                )
            if entry.evidence.strip():
                problems.append(
                    EvidenceProblem(
                        position, f'question {position} was not answered, so its evidence must be ""'
                    )
                )
        elif entry.evidence.strip() and not quote_appears_in(entry.evidence, answer.text):
            problems.append(
                EvidenceProblem(
                    position,
                    f"the evidence for question {position} is not a verbatim passage of the candidate's "
                    f"answer to question {position}",
                )
            )
    return problems
