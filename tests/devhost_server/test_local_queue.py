"""The PostgreSQL-backed Service Bus stand-in, used directly: duplicate detection, peek-lock, settlement,
dead letters."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from shared.adapters.local_queue import LocalQueue, on_send


@pytest.fixture(scope="module")
def local_queue(database_url: str) -> Iterator[LocalQueue]:
    queue = LocalQueue(database_url)
    yield queue
    queue.close()


@pytest.fixture
def name() -> str:
    return f"q-{uuid.uuid4().hex[:10]}"


def test_a_second_send_with_the_same_message_id_is_dropped(local_queue: LocalQueue, name: str) -> None:
    assert local_queue.send(name, '{"n": 1}', "m-1", content_type="application/json") is True
    assert local_queue.send(name, '{"n": 2}', "m-1") is False
    assert local_queue.send(f"{name}-other", "x", "m-1") is True  # ids are per queue
    assert local_queue.depth(name) == 1
    message = local_queue.receive(name)
    assert (message.message_id, message.body, message.content_type) == (
        "m-1",
        b'{"n": 1}',
        "application/json",
    )
    assert local_queue.complete(message)
    assert local_queue.send(name, "again", "m-1") is False  # still a duplicate once completed


def test_messages_come_out_in_order_with_bytes_bodies(local_queue: LocalQueue, name: str) -> None:
    for index in range(3):
        local_queue.send(name, bytes([index, 255]), f"m-{index}")
    received = [local_queue.receive(name) for _ in range(3)]
    assert [m.message_id for m in received] == ["m-0", "m-1", "m-2"]
    assert [m.body for m in received] == [b"\x00\xff", b"\x01\xff", b"\x02\xff"]
    assert all(m.delivery_count == 1 for m in received)


def test_a_received_message_is_locked_until_its_lock_expires(local_queue: LocalQueue, name: str) -> None:
    local_queue.send(name, "x", "m-1")
    first = local_queue.receive(name, lock_seconds=0.3)
    assert first is not None and first.delivery_count == 1
    assert first.locked_until is not None
    assert local_queue.receive(name) is None
    assert 0.0 < local_queue.next_available_in(name) <= 0.3
    time.sleep(0.35)
    second = local_queue.receive(name, lock_seconds=30)
    assert (second.message_id, second.delivery_count) == ("m-1", 2)
    # The first receiver's lock is gone: it can no longer settle the message.
    assert local_queue.complete(first) is False
    assert local_queue.abandon(first) is False
    assert local_queue.dead_letter(first, "late") is False
    assert local_queue.depth(name) == 1
    assert local_queue.complete(second) is True
    assert local_queue.depth(name) == 0


def test_complete_removes_the_message(local_queue: LocalQueue, name: str) -> None:
    assert local_queue.next_available_in(name) is None  # empty queue
    local_queue.send(name, "x", "m-1")
    assert local_queue.next_available_in(name) == 0.0  # ready now
    message = local_queue.receive(name)
    assert local_queue.complete(message) is True
    assert local_queue.complete(message) is False  # settled once
    assert local_queue.depth(name) == 0
    assert local_queue.receive(name) is None
    assert local_queue.next_available_in(name) is None


def test_abandon_with_a_delay_redelivers_later_with_the_next_delivery_count(
    local_queue: LocalQueue, name: str
) -> None:
    local_queue.send(name, "x", "m-1")
    message = local_queue.receive(name)
    assert local_queue.abandon(message, retry_after_seconds=0.4) is True
    assert local_queue.receive(name) is None
    assert 0.2 < local_queue.next_available_in(name) <= 0.4
    assert local_queue.depth(name) == 1
    time.sleep(0.45)
    again = local_queue.receive(name)
    assert (again.message_id, again.delivery_count) == ("m-1", 2)

    assert local_queue.abandon(again) is True  # no delay: deliverable at once
    assert local_queue.receive(name).delivery_count == 3


def test_dead_letters_are_listed_and_resubmitted_with_a_fresh_delivery_count(
    local_queue: LocalQueue, name: str
) -> None:
    local_queue.send(name, "poison", "m-1")
    local_queue.send(name, "fine", "m-2")
    poison = local_queue.receive(name)
    assert local_queue.dead_letter(poison, "ValueError: cannot parse") is True
    assert local_queue.depth(name) == 1  # dead letters do not count
    assert local_queue.receive(name).message_id == "m-2"
    assert local_queue.receive(name) is None

    [letter] = local_queue.dead_letters(name)
    assert (letter["message_id"], letter["delivery_count"]) == ("m-1", 1)
    assert letter["dead_letter_reason"] == "ValueError: cannot parse"
    assert letter["dead_lettered_at"] is not None
    assert name in local_queue.queues()

    assert local_queue.resubmit_dead_letter(f"{name}-other", letter["id"]) is False  # wrong queue
    assert local_queue.resubmit_dead_letter(name, letter["id"]) is True
    assert local_queue.resubmit_dead_letter(name, letter["id"]) is False  # no longer a dead letter
    assert local_queue.dead_letters(name) == []
    replayed = local_queue.receive(name)
    assert (replayed.message_id, replayed.body, replayed.delivery_count) == ("m-1", b"poison", 1)


def test_concurrent_receivers_never_get_the_same_message(local_queue: LocalQueue, name: str) -> None:
    for index in range(40):
        local_queue.send(name, str(index), f"m-{index}")
    got: list[list[str]] = [[], [], []]

    def drain(slot: int) -> None:
        while (message := local_queue.receive(name)) is not None:
            got[slot].append(message.message_id)
            local_queue.complete(message)

    threads = [threading.Thread(target=drain, args=(slot,)) for slot in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    everything = [message_id for ids in got for message_id in ids]
    assert sorted(everything) == sorted(f"m-{i}" for i in range(40))


def test_listeners_hear_sends_and_resubmits_until_removed(local_queue: LocalQueue, name: str) -> None:
    heard: list[str] = []
    remove = on_send(heard.append)
    broken = on_send(lambda queue: 1 / 0)  # a failing listener does not fail the send
    try:
        assert local_queue.send(name, "x", "m-1") is True
        local_queue.send(name, "x", "m-1")  # a duplicate wakes nobody
        local_queue.dead_letter(local_queue.receive(name), "poison")
        local_queue.resubmit_dead_letter(name, local_queue.dead_letters(name)[0]["id"])
    finally:
        remove()
        broken()
    local_queue.send(name, "y", "m-2")
    assert heard == [name, name]
