"""Fixtures for the scoring tests: the fake Gemini server and a real GeminiScorer pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from shared.scoring.gemini import GeminiScorer
from tests.fakes.fake_gemini import FakeGemini


@pytest.fixture
def fake_gemini() -> Iterator[FakeGemini]:
    with FakeGemini() as fake:
        yield fake


@pytest.fixture
def make_gemini_scorer(fake_gemini: FakeGemini) -> Iterator[Callable[..., GeminiScorer]]:
    """Builds GeminiScorers on the fake with fast SDK retries; all are closed after the test."""
    created: list[GeminiScorer] = []

    def build(**overrides: object) -> GeminiScorer:
        options: dict[str, object] = {
            "api_key": fake_gemini.api_key,
            "base_url": fake_gemini.base_url,
            "timeout_s": 5.0,
            "attempts": 3,
            "retry_initial_delay_s": 0.01,
            "retry_max_delay_s": 0.05,
        }
        options.update(overrides)
        scorer = GeminiScorer(**options)  # type: ignore[arg-type]
        created.append(scorer)
        return scorer

    yield build
    for scorer in created:
        scorer.close()


@pytest.fixture
def gemini_scorer(make_gemini_scorer: Callable[..., GeminiScorer]) -> GeminiScorer:
    return make_gemini_scorer()
