"""The `interview-scoring` queue: Azure Service Bus in Azure, devhost's PostgreSQL-backed queue locally.

Messages carry a message id so Service Bus duplicate detection (and the local queue) drop a second send of
the same scoring request.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

SCORING_QUEUE = "interview-scoring"


class ScoringQueue(Protocol):
    def send(self, message_id: str, body: dict[str, Any]) -> None: ...


class ServiceBusScoringQueue:
    def __init__(self, connection_string: str | None, namespace: str | None, client_id: str | None) -> None:
        self._connection_string = connection_string
        self._namespace = namespace
        self._client_id = client_id
        self._client: Any = None
        self._lock = threading.Lock()

    def _service_bus(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    from azure.servicebus import ServiceBusClient

                    if self._connection_string:
                        self._client = ServiceBusClient.from_connection_string(self._connection_string)
                    else:
                        from azure.identity import DefaultAzureCredential

                        credential = DefaultAzureCredential(managed_identity_client_id=self._client_id)
                        self._client = ServiceBusClient(self._namespace, credential)
        return self._client

    def send(self, message_id: str, body: dict[str, Any]) -> None:
        from azure.servicebus import ServiceBusMessage

        with self._service_bus().get_queue_sender(SCORING_QUEUE) as sender:
            sender.send_messages(
                ServiceBusMessage(json.dumps(body), message_id=message_id, content_type="application/json")
            )


class LocalScoringQueue:
    """devhost's queue in PostgreSQL; devhost delivers it to the serviceBusTrigger function."""

    def __init__(self, database_url: str) -> None:
        from shared.adapters.local_queue import LocalQueue

        self._queue = LocalQueue(database_url)

    def send(self, message_id: str, body: dict[str, Any]) -> None:
        self._queue.send(
            SCORING_QUEUE, json.dumps(body), message_id=message_id, content_type="application/json"
        )
