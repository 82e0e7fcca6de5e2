"""A deterministic, explainable stand-in for Gemini, used when no Gemini key is configured.

It measures word overlap, not meaning, and says so in every summary. All numbers come from the constants
below; every rationale shows how its score was reached.

Text handling: lower-case, split into words (keeping c++ / c#), drop English stop words, strip common
suffixes (a deliberately light stemmer: "managing", "manager", "management" all become "manag").

Per question (0-10):
- relevance, up to 6 points:
  - with an ideal answer: the share of the ideal answer's terms the answer uses; 60% or more earns all 6;
  - without one: job-related terms used (from the question, the job title and the requirements); 4 or more
    earn all 6;
- substance, up to 4 points: content words in the answer; 25 or more earn all 4 (longer earns no more);
- a struggling answer loses 3 points; a skipped (or blank) question scores 0 with empty evidence;
- a knockout question with an expected answer scores 10 x the share of the expected answer's terms present
  (less 3 if struggling): it is a pass/fail gate, so substance does not count;
- evidence: the sentence of the answer that shares most terms with the reference (ties: more content words,
  then earliest), clipped at a word boundary; always a verbatim part of the answer.

Job fit (0-100): 70% the mean question score (skipped questions count as 0) and 30% requirement coverage, the
share of requirements at least half of whose terms appear somewhere in the answers or the resume. Without
requirements it is the mean question score alone.

Recommendation: advance at 70 or more, hold at 45 to 69, reject below 45.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.scoring.knockout import clip, knockout_result
from shared.scoring.models import (
    EVIDENCE_MAX_CHARS,
    POINT_MAX_CHARS,
    POINTS_MAX_ITEMS,
    RATIONALE_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    InterviewQuestion,
    QuestionVerdict,
    Recommendation,
    ScoreResult,
    ScoringInput,
    Verdict,
)

LOCAL_RULES_VERSION = "1"
LOCAL_MODEL_NAME = "local-rules"

RELEVANCE_POINTS = 6.0
SUBSTANCE_POINTS = 4.0
FULL_IDEAL_COVERAGE = 0.6
FULL_JOB_TERM_MATCHES = 4
FULL_SUBSTANCE_WORDS = 25
STRUGGLE_PENALTY = 3
REQUIREMENT_COVERED_SHARE = 0.5
QUESTION_WEIGHT = 0.7
REQUIREMENT_WEIGHT = 0.3
ADVANCE_AT = 70
HOLD_AT = 45
STRONG_ANSWER_AT = 7
WEAK_ANSWER_AT = 3
LOCAL_EVIDENCE_MAX_CHARS = min(300, EVIDENCE_MAX_CHARS)

_STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into
    is isn't it it's its itself let's me more most mustn't my myself nor of off on once only or
    other ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't
    so some such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up very was wasn't we we'd
    we'll we're we've were weren't what what's when when's where where's which while who who's whom
    why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself
    yourselves also just really well um uh ok okay like get got lot lots much many thing things
    stuff etc s t d ll m re ve
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?[+#]*")
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?]*")
_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ers",
    "er",
    "ies",
    "ied",
    "ed",
    "es",
    "ly",
    "s",
)


def stem(word: str) -> str:
    """A light suffix stripper; consistent rather than linguistically exact."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def content_terms(text: str) -> list[str]:
    """Stemmed content words of text, in order, repeats kept."""
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    return [stem(w) for w in words if w not in _STOP_WORDS]


def _half_up(value: float) -> int:
    return int(value + 0.5)


@dataclass(frozen=True)
class _QuestionOutcome:
    entry: QuestionVerdict
    answered: bool
    struggling: bool


class LocalScorer:
    """Deterministic keyword-overlap scorer; no network, no randomness, same input -> same verdict."""

    kind = "local"
    scorer_version = f"local:rules-{LOCAL_RULES_VERSION}"

    def score(self, scoring_input: ScoringInput) -> ScoreResult:
        if scoring_input.knocked_out is not None:
            return knockout_result(scoring_input)
        started = time.perf_counter()
        job = scoring_input.job
        job_terms = set(content_terms(" ".join([job.title, *job.requirements])))
        outcomes = [
            self._score_question(scoring_input, q, job_terms) for q in scoring_input.ordered_questions
        ]

        pool = set(content_terms(" ".join(a.text for a in scoring_input.answers)))
        pool |= set(content_terms(scoring_input.resume_text or ""))
        covered, missing = [], []
        for requirement in job.requirements:
            terms = set(content_terms(requirement))
            if terms:
                share = len(terms & pool) / len(terms)
                (covered if share >= REQUIREMENT_COVERED_SHARE else missing).append(requirement)
        rated_requirements = len(covered) + len(missing)

        mean_score = sum(o.entry.score for o in outcomes) / len(outcomes)
        if rated_requirements:
            fit = 100 * (
                QUESTION_WEIGHT * mean_score / 10 + REQUIREMENT_WEIGHT * len(covered) / rated_requirements
            )
        else:
            fit = 10 * mean_score
        job_fit_score = max(0, min(100, _half_up(fit)))
        recommendation: Recommendation = (
            "advance" if job_fit_score >= ADVANCE_AT else "hold" if job_fit_score >= HOLD_AT else "reject"
        )

        skipped = [o.entry.question_position for o in outcomes if not o.answered]
        struggled = [o.entry.question_position for o in outcomes if o.struggling]
        strengths = [
            f"Question {o.entry.question_position}: strong answer ({o.entry.score}/10)"
            for o in outcomes
            if o.entry.score >= STRONG_ANSWER_AT
        ] + [f"Mentions requirement: {r}" for r in covered]
        concerns = (
            [f"Question {p} was not answered" for p in skipped]
            + [f"Struggled with question {p}" for p in struggled]
            + [
                f"Question {o.entry.question_position}: weak answer ({o.entry.score}/10)"
                for o in outcomes
                if o.answered and o.entry.score <= WEAK_ANSWER_AT
            ]
            + [f"No evidence of requirement: {r}" for r in missing]
        )
        requirement_note = (
            f"{len(covered)} of {rated_requirements} requirements found in the answers or resume"
            if rated_requirements
            else "no requirements listed"
        )
        summary = (
            "Produced by the local rule-based scorer (word overlap with the job and ideal answers), not "
            f"by Gemini. Job fit {job_fit_score}/100 ({recommendation}): mean question score "
            f"{mean_score:.1f}/10 over {len(outcomes)} questions; {requirement_note}; "
            f"{len(skipped)} not answered; {len(struggled)} struggling."
        )
        verdict = Verdict(
            job_fit_score=job_fit_score,
            recommendation=recommendation,
            summary=clip(summary, SUMMARY_MAX_CHARS),
            questions=[o.entry for o in outcomes],
            strengths=[clip(s, POINT_MAX_CHARS) for s in strengths[:POINTS_MAX_ITEMS]],
            concerns=[clip(c, POINT_MAX_CHARS) for c in concerns[:POINTS_MAX_ITEMS]],
        )
        return ScoreResult(
            interview_id=scoring_input.interview_id,
            verdict=verdict,
            scorer="local",
            model=LOCAL_MODEL_NAME,
            prompt_version=None,
            scorer_version=self.scorer_version,
            latency_ms=round((time.perf_counter() - started) * 1000),
            attempts=0,
            scored_at=datetime.now(UTC),
        )

    def _score_question(
        self, scoring_input: ScoringInput, question: InterviewQuestion, job_terms: set[str]
    ) -> _QuestionOutcome:
        position = question.position
        answer = scoring_input.answer_to(position)
        if answer is None:
            entry = QuestionVerdict(
                question_position=position, score=0, evidence="", rationale="Not answered: 0/10."
            )
            return _QuestionOutcome(entry, answered=False, struggling=False)

        answer_terms = content_terms(answer.text)
        answer_set = set(answer_terms)
        penalty = STRUGGLE_PENALTY if answer.struggling else 0
        struggle_note = f"; struggling: -{STRUGGLE_PENALTY}" if penalty else ""

        if question.knockout and question.expected_answer and content_terms(question.expected_answer):
            reference = set(content_terms(question.expected_answer))
            share = len(reference & answer_set) / len(reference)
            raw = 10 * share - penalty
            explanation = (
                f"Knockout question: the answer has {len(reference & answer_set)} of {len(reference)} terms "
                f"of the expected answer ({share:.0%}): {10 * share:.1f}/10{struggle_note}"
            )
        else:
            if question.ideal_answer and content_terms(question.ideal_answer):
                reference = set(content_terms(question.ideal_answer))
                matched = len(reference & answer_set)
                share = matched / len(reference)
                relevance = RELEVANCE_POINTS * min(1.0, share / FULL_IDEAL_COVERAGE)
                relevance_note = (
                    f"uses {matched} of {len(reference)} key terms of the ideal answer ({share:.0%}): "
                    f"relevance {relevance:.1f}/{RELEVANCE_POINTS:.0f}"
                )
            else:
                reference = job_terms | set(content_terms(question.text))
                matched = len(reference & answer_set)
                relevance = RELEVANCE_POINTS * min(1.0, matched / FULL_JOB_TERM_MATCHES)
                relevance_note = (
                    f"uses {matched} job-related terms (no ideal answer given; {FULL_JOB_TERM_MATCHES} earn "
                    f"full marks): relevance {relevance:.1f}/{RELEVANCE_POINTS:.0f}"
                )
            substance = SUBSTANCE_POINTS * min(1.0, len(answer_terms) / FULL_SUBSTANCE_WORDS)
            raw = relevance + substance - penalty
            explanation = (
                f"The answer {relevance_note}; {len(answer_terms)} content words: substance "
                f"{substance:.1f}/{SUBSTANCE_POINTS:.0f}{struggle_note}"
            )
        score = max(0, min(10, _half_up(raw)))
        entry = QuestionVerdict(
            question_position=position,
            score=score,
            evidence=_best_passage(answer.text, reference),
            rationale=clip(f"{explanation}. Total {score}/10.", RATIONALE_MAX_CHARS),
        )
        return _QuestionOutcome(entry, answered=True, struggling=answer.struggling)


def _best_passage(answer_text: str, reference: set[str]) -> str:
    """The sentence of the answer sharing most terms with the reference, verbatim (clipped if long)."""
    best, best_key = answer_text.strip(), (-1, -1)
    for match in _SENTENCE.finditer(answer_text):
        passage = match.group().strip()
        if not passage:
            continue
        terms = content_terms(passage)
        key = (len(set(terms) & reference), len(terms))
        if key > best_key:  # strict: the earliest passage wins ties
            best, best_key = passage, key
    return clip(best, LOCAL_EVIDENCE_MAX_CHARS)
