"""The scoring core: turns a finished interview (ScoringInput) into a stored-ready ScoreResult.

Independent of the database and of Azure Functions. Importing this package does not import google.genai;
creating a GeminiScorer does.
"""

from shared.scoring.errors import (
    PermanentScoringError,
    ScoringError,
    ScoringRejected,
    ScoringRequestError,
    TransientScoringError,
)
from shared.scoring.evidence import EvidenceProblem, verify_evidence
from shared.scoring.gemini import DEFAULT_MODEL, GeminiScorer
from shared.scoring.knockout import KNOCKOUT_SCORER_VERSION, knockout_result
from shared.scoring.local import LocalScorer
from shared.scoring.models import (
    CandidateAnswer,
    InterviewQuestion,
    JobSpec,
    KnockoutOutcome,
    QuestionVerdict,
    ScoreResult,
    ScoringInput,
    Verdict,
)
from shared.scoring.prompt import PROMPT_VERSION
from shared.scoring.service import Scorer, make_scorer, scorer_version_for

__all__ = [
    "DEFAULT_MODEL",
    "KNOCKOUT_SCORER_VERSION",
    "PROMPT_VERSION",
    "CandidateAnswer",
    "EvidenceProblem",
    "GeminiScorer",
    "InterviewQuestion",
    "JobSpec",
    "KnockoutOutcome",
    "LocalScorer",
    "PermanentScoringError",
    "QuestionVerdict",
    "ScoreResult",
    "Scorer",
    "ScoringError",
    "ScoringInput",
    "ScoringRejected",
    "ScoringRequestError",
    "TransientScoringError",
    "Verdict",
    "knockout_result",
    "make_scorer",
    "scorer_version_for",
    "verify_evidence",
]
