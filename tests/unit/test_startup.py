from __future__ import annotations

import gc
import os

import pytest

from shared.startup import prepare_worker_process


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_pydantic_plugins_are_off_unless_an_operator_chose_otherwise(monkeypatch, unfrozen):
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    prepare_worker_process()
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"

    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "logfire")
    prepare_worker_process()
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "logfire"


def test_objects_alive_before_the_app_loads_are_left_out_of_full_collections(unfrozen):
    gc.unfreeze()
    prepare_worker_process()
    assert gc.get_freeze_count() > 0
