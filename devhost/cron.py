"""NCRONTAB (six fields: second minute hour day month day-of-week) for timer triggers: the next due time."""

from __future__ import annotations

from datetime import datetime, timedelta

_RANGES = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


def _field(spec: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            start, end = (int(x) for x in part.split("-"))
        else:
            start = end = int(part)
        values.update(range(start, end + 1, step))
    return values


def next_occurrence(schedule: str, after: datetime) -> datetime:
    fields = schedule.split()
    if len(fields) != 6:
        raise ValueError(f"timer schedule {schedule!r} is not a six-field NCRONTAB expression")
    seconds, minutes, hours, days, months, weekdays = (
        _field(spec, low, high) for spec, (low, high) in zip(fields, _RANGES, strict=True)
    )
    moment = after.replace(microsecond=0) + timedelta(seconds=1)
    for _ in range(366 * 24 * 60):  # at most a year of minutes
        if (moment.month in months and moment.day in days and (moment.weekday() + 1) % 7 in weekdays
                and moment.hour in hours and moment.minute in minutes):  # fmt: skip
            later = [s for s in sorted(seconds) if s >= moment.second]
            if later:
                return moment.replace(second=later[0])
        moment = (moment + timedelta(minutes=1)).replace(second=0)
    raise ValueError(f"timer schedule {schedule!r} never fires")
