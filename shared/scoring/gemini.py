"""Scoring with Gemini through the google-genai SDK, with a structured-output schema and grounded evidence.

google.genai is imported when a GeminiScorer is created, not when this module is imported: the import takes
about half a second, which the Functions app's cold start should not pay unless it scores.

Per score() call:
1. one generateContent request (the SDK retries 429/5xx/timeouts/connection errors itself, `attempts` in
   all, with exponential backoff);
2. the reply must parse into a Verdict and pass verify_evidence; if not, one more request carries the
   previous reply and a message listing what was wrong;
3. if that reply fails too: ScoringRejected. Nothing is ever filled in or guessed.
"""

from __future__ import annotations

import importlib
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from shared.scoring.errors import ScoringRejected, ScoringRequestError, TransientScoringError
from shared.scoring.evidence import verify_evidence
from shared.scoring.knockout import knockout_result
from shared.scoring.models import ScoreResult, ScoringInput, Verdict
from shared.scoring.prompt import PROMPT_VERSION, SYSTEM_INSTRUCTION, build_correction, build_user_content

if TYPE_CHECKING:
    from google.genai import types as genai_types

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "gemini-2.5-flash"
API_VERSION = "v1beta"  # pinned: the SDK's default differs between releases
RETRY_STATUS_CODES = (429, 500, 502, 503, 504)
_TRANSIENT_CLIENT_CODES = (408, 429)  # 4xx that mean "later", not "never"
_MAX_PROBLEMS_REPORTED = 10


def _transport_error_types() -> tuple[type[BaseException], ...]:
    """Connection, protocol and timeout errors of whichever httpx flavour the SDK runs on."""
    found: list[type[BaseException]] = []
    for module_name in ("httpx2", "httpx"):
        try:
            found.append(importlib.import_module(module_name).TransportError)
        except ImportError:
            continue
    return tuple(found)


class GeminiScorer:
    """Scores interviews with a Gemini model. Create once and reuse: it holds a pooled, thread-safe client."""

    kind = "gemini"

    def __init__(
        self,
        api_key: str,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        timeout_s: float = 60.0,
        attempts: int = 3,
        retry_initial_delay_s: float = 1.0,
        retry_max_delay_s: float = 10.0,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ValueError("GeminiScorer needs an API key; use LocalScorer without one")
        if attempts < 1:
            raise ValueError("attempts counts the first request, so it is at least 1")
        from google import genai
        from google.genai import errors, types

        self.model = model
        self.scorer_version = f"gemini:{model}:prompt-{PROMPT_VERSION}"
        self._types = types
        self._errors = errors
        self._transport_errors = _transport_error_types()
        http_options: dict[str, Any] = {
            "api_version": API_VERSION,
            "timeout": max(1, int(timeout_s * 1000)),  # the SDK takes milliseconds, per HTTP request
            "retry_options": types.HttpRetryOptions(
                attempts=attempts,
                initial_delay=retry_initial_delay_s,
                max_delay=retry_max_delay_s,
                http_status_codes=list(RETRY_STATUS_CODES),
            ),
        }
        if base_url:
            http_options["base_url"] = base_url
        # vertexai=False: an ambient GOOGLE_GENAI_USE_VERTEXAI must not send us to another backend.
        self._client = genai.Client(
            api_key=api_key.strip(), vertexai=False, http_options=types.HttpOptions(**http_options)
        )
        self._config = types.GenerateContentConfig(
            system_instruction=SYSTEM_INSTRUCTION,
            response_mime_type="application/json",
            response_schema=Verdict,
            temperature=0,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> GeminiScorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def score(self, scoring_input: ScoringInput) -> ScoreResult:
        """A verdict from the model, validated and grounded; raises TransientScoringError,
        ScoringRequestError or ScoringRejected (see shared.scoring.errors)."""
        if scoring_input.knocked_out is not None:
            return knockout_result(scoring_input)
        types = self._types
        started = time.perf_counter()
        contents = [types.Content(role="user", parts=[types.Part(text=build_user_content(scoring_input))])]
        usages: list[Any] = []

        response = self._generate(contents)
        usages.append(response.usage_metadata)
        verdict, problems, reply_text = self._accept(response, scoring_input)
        attempts = 1
        if verdict is None:
            logger.info(
                "Re-asking the model for interview %s: %d problem(s) with its verdict",
                scoring_input.interview_id,
                len(problems),
            )
            correction = types.Part(text=build_correction(problems))
            if reply_text:
                contents.append(types.Content(role="model", parts=[types.Part(text=reply_text)]))
                contents.append(types.Content(role="user", parts=[correction]))
            else:  # nothing to show back: keep turns alternating by adding to the user turn
                contents[0].parts.append(correction)
            response = self._generate(contents)
            usages.append(response.usage_metadata)
            attempts = 2
            verdict, problems, _ = self._accept(response, scoring_input)
            if verdict is None:
                raise ScoringRejected(
                    f"model {self.model} gave no acceptable verdict for interview "
                    f"{scoring_input.interview_id} after a corrected retry: " + "; ".join(problems),
                    problems,
                )

        return ScoreResult(
            interview_id=scoring_input.interview_id,
            verdict=verdict,
            scorer="gemini",
            model=self.model,
            model_version=response.model_version,
            prompt_version=PROMPT_VERSION,
            scorer_version=self.scorer_version,
            latency_ms=round((time.perf_counter() - started) * 1000),
            attempts=attempts,
            input_tokens=_sum_usage(usages, "prompt_token_count"),
            output_tokens=_sum_usage(usages, "candidates_token_count", "thoughts_token_count"),
            scored_at=datetime.now(UTC),
        )

    def _generate(self, contents: list[genai_types.Content]) -> genai_types.GenerateContentResponse:
        """One generateContent call (with the SDK's retries), failures mapped to our error classes."""
        errors = self._errors
        try:
            return self._client.models.generate_content(
                model=self.model, contents=contents, config=self._config
            )
        except errors.APIError as exc:
            code = exc.code
            detail = f"Gemini API error {code} {exc.status or ''}: {exc.message or ''}".strip()
            if isinstance(code, int) and 400 <= code < 500 and code not in _TRANSIENT_CLIENT_CODES:
                raise ScoringRequestError(detail, code) from exc
            # 408/429/5xx after the SDK's retries, and any status we do not recognise: let it be retried
            # later; the queue's max delivery count bounds the retries.
            raise TransientScoringError(detail, code if isinstance(code, int) else None) from exc
        except errors.UnknownApiResponseError as exc:  # a 200 whose body is not JSON: a proxy or outage
            raise TransientScoringError(f"Gemini API returned an unreadable response: {exc}") from exc
        except self._transport_errors as exc:
            raise TransientScoringError(
                f"Gemini API unreachable or too slow: {type(exc).__name__}: {exc}"
            ) from exc

    def _accept(
        self, response: genai_types.GenerateContentResponse, scoring_input: ScoringInput
    ) -> tuple[Verdict | None, list[str], str | None]:
        """(verdict, [], text) when the reply is acceptable, else (None, problems, text)."""
        text = _reply_text(response)
        verdict = response.parsed if isinstance(response.parsed, Verdict) else None
        if verdict is None:
            # .parsed is silently None on invalid output: validate again to learn and report why.
            if not text:
                reason = _finish_reason(response)
                return None, [f"the reply contained no text (finish reason: {reason})"], None
            try:
                verdict = Verdict.model_validate_json(text)
            except ValidationError as exc:
                return None, _describe_validation_errors(exc), text
        problems = [str(p) for p in verify_evidence(verdict, scoring_input)]
        return (None, problems, text) if problems else (verdict, [], text)


def _reply_text(response: Any) -> str | None:
    try:
        return response.text
    except (ValueError, AttributeError):  # no candidates, or parts that are not text
        return None


def _finish_reason(response: Any) -> str:
    candidates = getattr(response, "candidates", None) or []
    reason = getattr(candidates[0], "finish_reason", None) if candidates else None
    if reason is None:
        feedback = getattr(response, "prompt_feedback", None)
        blocked = getattr(feedback, "block_reason", None)
        return f"prompt blocked: {getattr(blocked, 'value', blocked)}" if blocked else "none"
    return str(getattr(reason, "value", reason))


def _describe_validation_errors(exc: ValidationError) -> list[str]:
    """Short, model-readable descriptions; they never echo the input (which may contain candidate text)."""
    described = []
    for error in exc.errors(include_input=False, include_url=False)[:_MAX_PROBLEMS_REPORTED]:
        location = ".".join(str(part) for part in error["loc"]) or "the reply"
        if error["type"] == "json_invalid":
            described.append("the reply is not valid JSON")
        else:
            described.append(f"{location}: {error['msg']}")
    return described


def _sum_usage(usages: list[Any], *fields: str) -> int | None:
    total, seen = 0, False
    for usage in usages:
        for field in fields:
            value = getattr(usage, field, None) if usage is not None else None
            if isinstance(value, int):
                total, seen = total + value, True
    return total if seen else None
