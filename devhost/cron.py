"""NCRONTAB for timer triggers, as the Functions host reads it: the next due time after a moment.

Six fields (second minute hour day month day-of-week) or five (no seconds: second 0). Each field is `*`,
a value, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (from a to the field's maximum), or a list of those.
Months and days of the week may be named (`Jan`, `mon`, `Tuesday`: any prefix of the English name, case
ignored); days of the week run 0-6 from Sunday. As in NCRONTAB (unlike Vixie cron), a day of the month and
a day of the week must both match. Times are UTC, the host's default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")  # fmt: skip
_DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
# (name, lowest, highest, value names)
_FIELDS = (
    ("second", 0, 59, None),
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day", 1, 31, None),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 0, 6, _DAYS),
)
# Leap days come back every 4 years (8 across a skipped century leap year): search that far, day by day.
_SEARCH_DAYS = 366 * 8 + 2


@dataclass(frozen=True)
class Schedule:
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday


def _value(text: str, name: str, low: int, high: int, names: tuple[str, ...] | None) -> int:
    if text.isdigit():
        value = int(text)
    else:
        matches = [i for i, full in enumerate(names or ()) if text and full.startswith(text.lower())]
        if not matches:
            raise ValueError(f"{text!r} is not a valid {name} value")
        value = matches[0] + low
    if not low <= value <= high:
        raise ValueError(f"{name} value {value} is outside {low}-{high}")
    return value


def _field(spec: str, name: str, low: int, high: int, names: tuple[str, ...] | None) -> frozenset[int]:
    values: set[int] = set()
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"{name} step {step_text!r} must be a positive number")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = _value(first, name, low, high, names), _value(last, name, low, high, names)
            if start > end:
                raise ValueError(f"{name} range {part!r} runs backwards")
        else:
            start = _value(part, name, low, high, names)
            end = high if step > 1 else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


def parse_schedule(schedule: str) -> Schedule:
    """Parse an NCRONTAB expression; ValueError (naming the expression) when it is not one."""
    fields = schedule.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ValueError(
            f"timer schedule {schedule!r} is not an NCRONTAB expression of six (or five) fields"
            + (" (TimeSpan schedules are not supported by devhost)" if ":" in schedule else "")
        )
    try:
        parsed = [_field(spec, *field) for spec, field in zip(fields, _FIELDS, strict=True)]
    except ValueError as exc:
        raise ValueError(f"timer schedule {schedule!r}: {exc}") from None
    return Schedule(*parsed)


def next_occurrence(schedule: str | Schedule, after: datetime) -> datetime:
    """The first moment strictly after `after` (whole seconds) that the schedule names."""
    parsed = parse_schedule(schedule) if isinstance(schedule, str) else schedule
    start = after.replace(microsecond=0) + timedelta(seconds=1)
    day = start.replace(hour=0, minute=0, second=0)
    floor = (start.hour, start.minute, start.second)  # only the first day starts late
    for _ in range(_SEARCH_DAYS):
        # isoweekday(): Monday 1 .. Sunday 7; NCRONTAB: Sunday 0 .. Saturday 6.
        if day.month in parsed.months and day.day in parsed.days and day.isoweekday() % 7 in parsed.weekdays:
            found = _first_time(parsed, floor)
            if found is not None:
                return day.replace(hour=found[0], minute=found[1], second=found[2])
        day += timedelta(days=1)
        floor = (0, 0, 0)
    raise ValueError(f"timer schedule {schedule!r} never fires")


def _first_time(parsed: Schedule, floor: tuple[int, int, int]) -> tuple[int, int, int] | None:
    for hour in sorted(parsed.hours):
        if hour < floor[0]:
            continue
        for minute in sorted(parsed.minutes):
            if (hour, minute) < floor[:2]:
                continue
            for second in sorted(parsed.seconds):
                if (hour, minute, second) >= floor:
                    return hour, minute, second
    return None
