"""Choosing a scorer, once, from settings the caller passes in."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from shared.scoring.gemini import DEFAULT_MODEL, GeminiScorer
from shared.scoring.knockout import KNOCKOUT_SCORER_VERSION
from shared.scoring.local import LocalScorer
from shared.scoring.models import ScoreResult, ScoringInput


@runtime_checkable
class Scorer(Protocol):
    kind: str  # "gemini" or "local"
    scorer_version: str  # with the interview id, the idempotency key of a stored result

    def score(self, scoring_input: ScoringInput) -> ScoreResult:
        """A verdict for a finished interview (a knockout reject when knocked_out is set)."""
        ...


def make_scorer(
    gemini_api_key: str | None,
    model: str | None = DEFAULT_MODEL,
    base_url: str | None = None,
    timeout_s: float | None = 60.0,
    attempts: int = 3,
) -> Scorer:
    """GeminiScorer when a key is set (GEMINI_API_KEY), else the deterministic LocalScorer.

    Call once per process (e.g. lazily at module level in the trigger) and reuse: the Gemini scorer holds
    a pooled HTTP client, and creating it imports google.genai (about half a second).
    """
    if gemini_api_key and gemini_api_key.strip():
        return GeminiScorer(
            api_key=gemini_api_key,
            model=model or DEFAULT_MODEL,
            base_url=base_url or None,
            timeout_s=timeout_s or 60.0,
            attempts=attempts,
        )
    return LocalScorer()


def scorer_version_for(scorer: Scorer, scoring_input: ScoringInput) -> str:
    """The scorer_version the result for this input will carry: check it before scoring to skip work on a
    redelivered message whose result is already stored."""
    return KNOCKOUT_SCORER_VERSION if scoring_input.knocked_out is not None else scorer.scorer_version
