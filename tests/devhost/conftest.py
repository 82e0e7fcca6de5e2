"""Fixtures for the task hub tests: a real PostgreSQL (tests/conftest.py), one hub name per test."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devhost.clock import Clock
from devhost.durable import TaskHub
from tests.devhost import toy_app

MakeHub = Callable[..., TaskHub]


@pytest.fixture
def hub_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def clock() -> Clock:
    return Clock(controllable=True)


@pytest.fixture
def make_hub(database_url: str, hub_name: str, clock: Clock) -> Iterator[MakeHub]:
    """Builds and starts TaskHubs on the test database (same hub name unless told), stopped at the end."""
    hubs: list[TaskHub] = []

    def make(orchestrators: dict[str, Any] | None = None, start: bool = True, **overrides: Any) -> TaskHub:
        functions = toy_app.registry()
        options: dict[str, Any] = {
            "clock": clock,
            "hub_name": hub_name,
            "max_workers": 4,
            "log": logging.getLogger("devhost.durable.test"),
        }
        options.update(overrides)
        hub = TaskHub(
            database_url,
            orchestrators if orchestrators is not None else functions.orchestrators,
            functions.activities,
            functions.activity_param_names,
            **options,
        )
        if start:
            hub.start()
        hubs.append(hub)
        return hub

    yield make
    toy_app.open_all_gates()
    for hub in hubs:
        hub.stop(timeout=5)


@pytest.fixture
def hub(make_hub: MakeHub) -> TaskHub:
    return make_hub()


def wait_until(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `condition` until it returns something truthy (for states the hub does not signal)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.01)


def settle(hub: TaskHub, timeout: float = 10.0) -> None:
    assert hub.wait_for_idle(timeout), "the task hub did not become idle"
