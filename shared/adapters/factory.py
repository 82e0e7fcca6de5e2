"""The one place where settings choose each external service's implementation.

Every adapter is created on first use and cached for the process, so a cold start pays for none of them.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from shared.adapters.scoring_queue import LocalScoringQueue, ScoringQueue, ServiceBusScoringQueue
from shared.adapters.sms import SmsSender, TwilioSmsSender
from shared.settings import get_settings

log = logging.getLogger("adapters")


@lru_cache(maxsize=1)
def sms_sender() -> SmsSender:
    settings = get_settings()
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        raise RuntimeError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set to send SMS")
    callback = f"{settings.public_base_url}/api/sms/status" if settings.public_base_url else None
    return TwilioSmsSender(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        from_number=settings.twilio_from_number,
        status_callback_url=callback,
        api_base_url=settings.twilio_api_base_url,
    )


@lru_cache(maxsize=1)
def scoring_queue() -> ScoringQueue:
    settings = get_settings()
    if settings.servicebus_connection_string or settings.servicebus_namespace:
        return ServiceBusScoringQueue(
            settings.servicebus_connection_string, settings.servicebus_namespace, settings.azure_client_id
        )
    from shared.db import current_database_url

    return LocalScoringQueue(current_database_url())


def conversation_log() -> Any:
    from shared.adapters.conversation_log import conversation_log as cached_conversation_log

    return cached_conversation_log()


def audit_log() -> Any:
    from shared.adapters.audit_log import audit_log as cached_audit_log

    return cached_audit_log()


class _BestEffort:
    """Wraps a log adapter so a storage outage never fails the caller: PostgreSQL holds what matters."""

    def __init__(self, factory: Any) -> None:
        self._factory = factory

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return getattr(self._factory(), name)(*args, **kwargs)
            except Exception as exc:
                log.warning("%s.%s failed: %s", type(self).__name__, name, str(exc)[:200])
                return None

        return call


def conversation_log_safe() -> Any:
    return _BestEffort(conversation_log)


def audit_log_safe() -> Any:
    return _BestEffort(audit_log)


def reset_adapters() -> None:
    """Forget cached adapters (tests and devhost change settings)."""
    from shared.adapters.storage import reset_storage_clients

    for cached in (sms_sender, scoring_queue):
        cached.cache_clear()
    reset_storage_clients()
