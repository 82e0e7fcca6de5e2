"""Errors the services raise, each with its HTTP status; the entry points turn them into problem+json."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status: int = 500
    title: str = "Internal Server Error"
    type_slug: str = "internal"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        """The RFC 9457 problem details body."""
        body: dict[str, Any] = {
            "type": f"https://interview-ai.dev/problems/{self.type_slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class BadRequest(AppError):
    status, title, type_slug = 400, "Bad Request", "bad-request"


class Unauthorized(AppError):
    status, title, type_slug = 401, "Unauthorized", "unauthorized"


class Forbidden(AppError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class NotFound(AppError):
    status, title, type_slug = 404, "Not Found", "not-found"


class MethodNotAllowed(AppError):
    status, title, type_slug = 405, "Method Not Allowed", "method-not-allowed"


class Conflict(AppError):
    status, title, type_slug = 409, "Conflict", "conflict"


class PayloadTooLarge(AppError):
    status, title, type_slug = 413, "Payload Too Large", "payload-too-large"


class UnsupportedMediaType(AppError):
    status, title, type_slug = 415, "Unsupported Media Type", "unsupported-media-type"


class ValidationFailed(AppError):
    """422 with one entry per offending field: {"field": "questions.0.text", "message": "..."}."""

    status, title, type_slug = 422, "Unprocessable Content", "validation"

    def __init__(self, errors: list[dict[str, str]], detail: str | None = None) -> None:
        fields = ", ".join(sorted({e["field"] for e in errors})) or "request"
        super().__init__(detail or f"invalid value for: {fields}", errors=errors)
        self.errors = errors

    @classmethod
    def single(cls, field: str, message: str) -> ValidationFailed:
        return cls([{"field": field, "message": message}])


class ServiceUnavailable(AppError):
    status, title, type_slug = 503, "Service Unavailable", "unavailable"


def validation_errors_from_pydantic(exc: Any, prefix: str = "") -> ValidationFailed:
    """Turn a pydantic ValidationError into a ValidationFailed naming each field by its dotted path."""
    errors = []
    for item in exc.errors(include_url=False):
        path = ".".join(str(part) for part in item.get("loc", ()) if part != "__root__")
        errors.append({"field": (prefix + path) or "body", "message": item.get("msg", "invalid")})
    return ValidationFailed(errors)
