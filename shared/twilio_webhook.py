"""Twilio webhook authentication: X-Twilio-Signature over the public URL Twilio called plus the form."""

from __future__ import annotations

from urllib.parse import urlsplit

from shared.settings import get_settings


def public_url(request_url: str) -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + the path and query the app received.

    Behind a proxy or in Azure the host the app sees is not the one Twilio called, so the URL is rebuilt
    from configuration rather than trusted from the request.
    """
    parts = urlsplit(request_url)
    base = get_settings().public_base_url or f"{parts.scheme}://{parts.netloc}"
    return base + parts.path + (f"?{parts.query}" if parts.query else "")


class FormParams(dict):
    """Form fields, a list for a repeated key, shaped as RequestValidator reads a multi-dict (`getall`).

    Given a plain dict, the validator would treat a list of values as one value and fail on it.
    """

    def getall(self, key: str) -> list[str]:
        value = self[key]
        return list(value) if isinstance(value, list | tuple) else [value]


def signature_is_valid(request_url: str, params: dict[str, str | list[str]], signature: str | None) -> bool:
    token = get_settings().twilio_auth_token
    if not token or not signature:
        return False
    from twilio.request_validator import RequestValidator  # imported on first webhook, not at cold start

    return RequestValidator(token).validate(public_url(request_url), FormParams(params), signature)
