"""Queues a scoring of a finished interview: one Service Bus message per (interview, request number)."""

from __future__ import annotations

from shared.adapters import factory


def scoring_message_id(interview_id: str, request_number: int) -> str:
    return f"{interview_id}:{request_number}"


def request_scoring(interview_id: str, request_number: int) -> None:
    """Idempotent: the message id lets the queue drop a second send of the same request."""
    factory.scoring_queue().send(
        scoring_message_id(interview_id, request_number),
        {"interview_id": str(interview_id), "request_number": request_number},
    )
