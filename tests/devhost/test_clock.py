from datetime import UTC, datetime, timedelta

import pytest

from devhost.clock import Clock


def test_real_clock_follows_wall_time_and_refuses_to_move() -> None:
    clock = Clock()
    before = datetime.now(UTC)
    now = clock.now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)
    with pytest.raises(RuntimeError):
        clock.advance(10)


def test_controllable_clock_jumps_forward_and_keeps_ticking() -> None:
    clock = Clock(controllable=True)
    start = clock.now()
    moved_to = clock.advance(3600)
    assert moved_to - start >= timedelta(hours=1)
    assert moved_to - start < timedelta(hours=1, seconds=5)
    later = clock.now()
    assert later >= moved_to  # real time still passes on top of the offset
    assert clock.offset == timedelta(hours=1)
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_subscribers_hear_every_advance_until_they_unsubscribe() -> None:
    clock = Clock(controllable=True)
    heard: list[timedelta] = []
    unsubscribe = clock.subscribe(lambda: heard.append(clock.offset))

    def broken() -> None:
        raise RuntimeError("a broken subscriber")

    clock.subscribe(broken)
    clock.advance(5)
    clock.advance(7)
    unsubscribe()
    clock.advance(1)
    assert heard == [timedelta(seconds=5), timedelta(seconds=12)]
