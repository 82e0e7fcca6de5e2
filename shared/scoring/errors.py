"""Failures of scoring, split by what the caller should do about them.

- TransientScoringError: try again later. The Service Bus trigger lets it propagate so the message is
  redelivered (and dead-lettered after the queue's max delivery count).
- PermanentScoringError and its subclasses: retrying the same message will not help (bad key, bad request,
  or a model that twice failed to produce a valid, grounded verdict). The caller records the failure and
  completes or dead-letters the message; it never stores a made-up score.
"""

from __future__ import annotations

from collections.abc import Sequence


class ScoringError(Exception):
    """Base class of every scoring failure."""


class TransientScoringError(ScoringError):
    """Timeouts, 408/429/5xx after the client's own retries, connection failures."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class PermanentScoringError(ScoringError):
    """A failure that will repeat on redelivery."""


class ScoringRequestError(PermanentScoringError):
    """The model API refused the request itself: 4xx other than 408/429 (bad key, bad request, no access)."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ScoringRejected(PermanentScoringError):
    """Neither the model's reply nor its corrected retry was a valid verdict grounded in the answers."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)
