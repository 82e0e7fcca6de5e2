"""What the interview does after each answer: pure and deterministic, so the orchestrator can replay it.

The orchestration never sees the candidate's words: the webhook condenses each answer into an
`answer_verdict` (struggling? failed a knockout?), which is all the decision needs and keeps personal data
out of the orchestration history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Action = Literal["next", "knockout", "pause", "finish_struggling"]


def answer_verdict(question: dict[str, Any], text: str, struggling: bool) -> dict[str, bool]:
    # Imported on the first answer: the orchestrator imports this module at cold start for
    # decide_after_answer only, and the answer readers build their phrase tables when imported.
    from shared.interview.knockout import passes_knockout

    failed = bool(question.get("knockout")) and not passes_knockout(
        text, question.get("expected_answer") or ""
    )
    return {"struggling": struggling, "knockout_failed": failed}


@dataclass(frozen=True)
class Decision:
    action: Action
    consecutive_struggles: int
    struggled: bool  # the threshold was reached at this answer


def decide_after_answer(
    verdict: dict[str, Any], consecutive_struggles: int, struggle_pauses_used: int, settings: dict[str, Any]
) -> Decision:
    """Knockout first; then count consecutive struggling answers against the job's threshold and policy.

    Policy `continue` carries on (the interview is flagged); `reschedule` pauses the interview until
    `max_reschedules` pauses were used, after which the interview ends early, flagged for the recruiter.
    """
    if verdict.get("knockout_failed"):
        return Decision("knockout", consecutive_struggles, False)
    count = consecutive_struggles + 1 if verdict.get("struggling") else 0
    if count < settings["struggle_threshold"]:
        return Decision("next", count, False)
    if settings["struggle_policy"] == "continue":
        return Decision("next", count, True)
    if struggle_pauses_used < settings["max_reschedules"]:
        return Decision("pause", 0, True)
    return Decision("finish_struggling", count, True)
