"""The devhost's notion of "now", which tests can move forward.

Durable timers, orchestration timestamps (`current_utc_datetime`) and anything else in devhost that asks
"what time is it" read it from one `Clock`, so a test can make a one-hour timer fire without waiting an hour.

A controllable clock starts at real time and keeps ticking at real speed: `now()` is always
`real UTC time + the total of every advance() so far`. It never goes backwards and never stops, which keeps
timestamps monotonic for code that compares them, and lets ordinary short waits (an activity taking 20 ms)
behave as they would against a real clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

_log = logging.getLogger(__name__)


class Clock:
    """Aware-UTC time source; `controllable=True` allows `advance()` (tests and demos only)."""

    def __init__(self, controllable: bool = False) -> None:
        self._controllable = controllable
        self._offset = timedelta(0)
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[], None]] = []

    @property
    def controllable(self) -> bool:
        return self._controllable

    @property
    def offset(self) -> timedelta:
        """How far ahead of real time this clock is (always zero for a real clock)."""
        with self._lock:
            return self._offset

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return datetime.now(UTC) + offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by `seconds` and tell every subscriber; returns the new now()."""
        if not self._controllable:
            raise RuntimeError("this clock follows real time; create Clock(controllable=True) to advance it")
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback()
            except Exception:  # one broken subscriber must not stop the others from hearing about it
                _log.exception("clock subscriber %r failed", callback)
        return self.now()

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback()` (from the advancing thread) after every advance; returns an unsubscribe function."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe
