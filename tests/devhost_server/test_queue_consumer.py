"""devhost delivering the local queue to serviceBusTrigger functions: redelivery with increasing delivery
counts, dead letters after the max delivery count, /dev/queues and resubmitting."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from shared.adapters.local_queue import LocalQueue
from tests.devhost_server import toy_app
from tests.devhost_server.conftest import ToyHost, wait_until

MAX_DELIVERIES = 3  # what conftest's toy host is started with


@pytest.fixture(scope="module")
def sender(database_url: str) -> Iterator[LocalQueue]:
    queue = LocalQueue(database_url)
    yield queue
    queue.close()


def _send(sender: LocalQueue, fail_times: int, queue: str = toy_app.FLAKY_QUEUE) -> str:
    message_id = f"msg-{uuid.uuid4().hex[:12]}"
    assert sender.send(queue, json.dumps({"fail_times": fail_times}), message_id, "application/json")
    return message_id


def _dead_letters(toy_host: ToyHost, queue: str = toy_app.FLAKY_QUEUE) -> list[dict]:
    response = toy_host.get("/dev/queues")
    assert response.status_code == 200
    return response.json()["queues"][queue]["dead_letters"]


def test_a_function_that_fails_twice_gets_the_message_three_times(
    toy_host: ToyHost, sender: LocalQueue
) -> None:
    message_id = _send(sender, fail_times=2)
    wait_until(lambda: len(toy_app.deliveries[message_id]) >= 3)
    toy_host.settle()
    assert toy_app.deliveries[message_id] == [1, 2, 3]
    assert sender.depth(toy_app.FLAKY_QUEUE) == 0
    assert message_id not in [letter["message_id"] for letter in _dead_letters(toy_host)]


def test_a_message_that_always_fails_is_dead_lettered_then_resubmitted(
    toy_host: ToyHost, sender: LocalQueue
) -> None:
    message_id = _send(sender, fail_times=1000)
    letter = wait_until(
        lambda: next((d for d in _dead_letters(toy_host) if d["message_id"] == message_id), None)
    )
    assert toy_app.deliveries[message_id] == [1, 2, 3]  # the max delivery count, then no more
    assert letter["delivery_count"] == MAX_DELIVERIES
    assert letter["dead_letter_reason"] == "RuntimeError: failure 3 of 1000"
    assert toy_host.get("/dev/queues").json()["queues"][toy_app.FLAKY_QUEUE]["depth"] == 0

    toy_app.healed.add(message_id)  # the bug is fixed: replay the message
    resubmitted = toy_host.post(f"/dev/queues/{toy_app.FLAKY_QUEUE}/deadletters/{letter['id']}/resubmit")
    assert resubmitted.status_code == 200 and resubmitted.json() == {"resubmitted": True}
    wait_until(lambda: len(toy_app.deliveries[message_id]) == 4)
    toy_host.settle()
    assert toy_app.deliveries[message_id] == [1, 2, 3, 1]  # a fresh delivery count
    assert message_id not in [d["message_id"] for d in _dead_letters(toy_host)]
    assert sender.depth(toy_app.FLAKY_QUEUE) == 0

    again = toy_host.post(f"/dev/queues/{toy_app.FLAKY_QUEUE}/deadletters/{letter['id']}/resubmit")
    assert again.status_code == 404
    assert (
        toy_host.post(f"/dev/queues/{toy_app.FLAKY_QUEUE}/deadletters/not-a-number/resubmit").status_code
        == 404
    )


def test_async_service_bus_functions_are_awaited_promptly(toy_host: ToyHost, sender: LocalQueue) -> None:
    for _ in range(5):
        message_id = _send(sender, fail_times=0, queue=toy_app.ASYNC_QUEUE)
        # A send wakes the consumer at once; it polls only every 5 s (a lost wake-up would show as a wait).
        wait_until(lambda message_id=message_id: toy_app.deliveries[message_id], timeout=3)
        toy_host.settle()
        assert toy_app.deliveries[message_id] == [1]
    assert sender.depth(toy_app.ASYNC_QUEUE) == 0
